import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
import { SHARED_STORE, SharedStore } from '../../../src/caching';
import { createApiKey, signup, uniqueEmail } from '../../support/factories';
import { call } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { enrolMfa } from '../../support/totp';

/**
 * Every secret Atrium issues (session tokens, API keys, invitation tokens, MFA recovery codes and
 * sign-in challenges) and every password it is given must be stored only as a hash (a TOTP seed,
 * which must be read back, only sealed): a dump of the database or of Redis must not let anyone
 * sign in. The dump reads every row of every table as the owner (no row-level security).
 */
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

interface Issued {
  readonly secrets: Record<string, string>;
  readonly hashes: Record<string, string>;
  readonly userId: string;
}

interface Dumped {
  readonly where: string;
  readonly text: string;
}

describe('Secrets at rest (e2e)', () => {
  const suite = useTestAppWithOwnerDb();

  /** One of each secret, issued over HTTP and each used once, so "last used" bookkeeping has run too. */
  async function issueSecrets(): Promise<Issued> {
    const signed = await signup(suite.app);
    const login = await call(suite.app, 'POST', '/v1/auth/login', { body: { email: signed.email, password: signed.password } });
    expect(login.statusCode).toBe(200);
    const key = await createApiKey(suite.app, signed, ['members:read']);

    const pendingInvite = await call(suite.app, 'POST', '/v1/invitations', {
      token: signed.token,
      body: { email: uniqueEmail('pending'), role: 'member' },
    });
    expect(pendingInvite.statusCode).toBe(201);
    const acceptedInvite = await call(suite.app, 'POST', '/v1/invitations', {
      token: signed.token,
      body: { email: uniqueEmail('joiner'), role: 'viewer' },
    });
    expect(acceptedInvite.statusCode).toBe(201);
    const joinerPassword = `joiner passphrase ${sha256(acceptedInvite.json().token).slice(0, 12)}`;
    const accepted = await call(suite.app, 'POST', '/v1/invitations/accept', {
      body: { token: acceptedInvite.json().token, name: 'Joiner', password: joinerPassword },
    });
    expect(accepted.statusCode).toBe(200);

    // A SCIM token, used once by its identity provider.
    const scimCreated = await call(suite.app, 'POST', '/v1/scim-tokens', { token: signed.token, body: { name: 'Okta' } });
    const scimToken = scimCreated.json().token as string;
    expect((await call(suite.app, 'GET', '/scim/v2/Users', { token: scimToken })).statusCode).toBe(200);

    // An SSO client secret: sealed (AES-256-GCM), since the sign-in must read it back.
    const oidcClientSecret = `oidc client secret ${sha256(scimToken).slice(0, 24)}`;
    const sso = await call(suite.app, 'PUT', '/v1/sso/connection', {
      token: signed.token,
      body: {
        type: 'oidc',
        oidc: { issuer: 'https://idp.example.test', clientId: 'atrium', clientSecret: oidcClientSecret },
        enabled: false,
      },
    });
    expect(sso.statusCode).toBe(200);

    const secrets: Record<string, string> = {
      oidcClientSecret,
      scimToken,
      signupSession: signed.token,
      loginSession: login.json().token,
      acceptSession: accepted.json().token,
      apiKey: key.secret,
      pendingInvitation: pendingInvite.json().token,
      acceptedInvitation: acceptedInvite.json().token,
      ownerPassword: signed.password,
      joinerPassword,
    };
    expect(secrets.apiKey).toMatch(/^atr_[A-Za-z0-9_-]{65}$/);
    expect(secrets.scimToken).toMatch(/^scim_[A-Za-z0-9_-]{65}$/);
    expect(secrets.pendingInvitation).toMatch(/^inv_[A-Za-z0-9_-]{65}$/);
    expect(secrets.loginSession).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // MFA last (the password step then answers with a challenge): the seed, the recovery codes, a challenge.
    const mfa = await enrolMfa(suite.app, signed);
    secrets.totpSecret = mfa.secret;
    mfa.recoveryCodes.forEach((code, index) => {
      secrets[`recoveryCode${index}`] = code;
      secrets[`recoveryCode${index}Bare`] = code.replace(/-/g, '');
    });
    const challenged = await call(suite.app, 'POST', '/v1/auth/login', { body: { email: signed.email, password: signed.password } });
    expect(challenged.json().mfaRequired).toBe(true);
    secrets.mfaChallenge = challenged.json().challengeToken;
    expect(secrets.mfaChallenge).toMatch(/^mfa_[A-Za-z0-9_-]{65}$/);

    for (const credential of [secrets.signupSession, secrets.loginSession, secrets.acceptSession, secrets.apiKey]) {
      expect((await call(suite.app, 'GET', '/v1/me', { token: credential })).statusCode).toBe(200);
    }
    return {
      secrets,
      hashes: {
        apiKey: sha256(secrets.apiKey),
        scimToken: sha256(secrets.scimToken),
        pendingInvitation: sha256(secrets.pendingInvitation),
        loginSession: sha256(secrets.loginSession),
      },
      userId: signed.userId,
    };
  }

  /** The strings a secret may not appear as: whole, and (org-scoped tokens) its random part alone. */
  function forbiddenForms(secret: string): string[] {
    const forms = [secret];
    if (/^(atr|inv|mfa|scim)_/.test(secret)) forms.push(secret.slice(-43));
    return forms;
  }

  function leaks(dump: readonly Dumped[], secrets: Record<string, string>): { secret: string; where: string }[] {
    return Object.entries(secrets).flatMap(([name, secret]) =>
      dump.filter(({ text }) => forbiddenForms(secret).some((form) => text.includes(form))).map(({ where }) => ({ secret: name, where })),
    );
  }

  async function dumpDatabase(): Promise<Dumped[]> {
    const tables = await suite.db.query(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
    );
    const dump: Dumped[] = [];
    for (const { table_name: table } of tables.rows as { table_name: string }[]) {
      const { rows } = await suite.db.query(`select t::text as row from public."${table.replace(/"/g, '""')}" t`);
      for (const row of rows as { row: string }[]) dump.push({ where: `table ${table}`, text: row.row });
    }
    return dump;
  }

  /** Every key and value of the shared store: Redis when REDIS_URL is set, else the in-process stand-in. */
  async function dumpSharedStore(): Promise<Dumped[]> {
    const url = process.env.REDIS_URL;
    if (!url) {
      const store = suite.app.get<SharedStore>(SHARED_STORE) as unknown as {
        kind: string;
        entries: Map<string, { value: string | Set<string> }>;
      };
      expect(store.kind).toBe('in-process');
      expect(store.entries).toBeInstanceOf(Map);
      return [...store.entries].map(([key, { value }]) => ({
        where: `in-process key ${key}`,
        text: `${key}\n${typeof value === 'string' ? value : [...value].join('\n')}`,
      }));
    }
    const redis = createClient({ url });
    await redis.connect();
    try {
      const dump: Dumped[] = [];
      for await (const keys of redis.scanIterator({ COUNT: 500 })) {
        for (const key of keys) {
          const type = await redis.type(key);
          const values =
            type === 'string'
              ? [(await redis.get(key)) ?? '']
              : type === 'set'
                ? await redis.sMembers(key)
                : type === 'hash'
                  ? Object.entries(await redis.hGetAll(key)).flat()
                  : type === 'list'
                    ? await redis.lRange(key, 0, -1)
                    : type === 'zset'
                      ? await redis.zRange(key, 0, -1)
                      : [`<unreadable ${type}>`];
          dump.push({ where: `redis key ${key}`, text: [key, ...values].join('\n') });
        }
      }
      return dump;
    } finally {
      redis.destroy();
    }
  }

  it('stores no issued token, API key or password in any column of any table', async () => {
    const issued = await issueSecrets();
    const dump = await dumpDatabase();
    // Positive control: the dump does reach the tenant tables (the owner sees every org's rows).
    const everything = dump.map(({ text }) => text).join('\n');
    expect(everything).toContain(issued.hashes.apiKey);
    expect(everything).toContain(issued.hashes.pendingInvitation);
    expect(everything).toContain(issued.hashes.scimToken);

    expect(leaks(dump, issued.secrets)).toEqual([]);
  });

  it('stores passwords as salted scrypt hashes, not as plaintext or a bare digest', async () => {
    const issued = await issueSecrets();
    const { rows } = await suite.db.query('select password_hash from users where id = $1', [issued.userId]);
    expect(rows).toHaveLength(1);
    const stored = rows[0].password_hash as string;
    expect(stored).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    const dump = await dumpDatabase();
    const digests = {
      ownerPasswordSha256: sha256(issued.secrets.ownerPassword),
      joinerPasswordSha256: sha256(issued.secrets.joinerPassword),
    };
    expect(leaks(dump, digests)).toEqual([]);

    const again = await signup(suite.app);
    const hashes = await suite.db.query('select password_hash from users where id = any($1::uuid[])', [[issued.userId, again.userId]]);
    // Same password, different salt: the two hashes differ.
    expect(new Set(hashes.rows.map((row) => row.password_hash)).size).toBe(2);
  });

  it('keeps only hashes of session tokens in the shared store (Redis, or its in-process stand-in)', async () => {
    const issued = await issueSecrets();
    const dump = await dumpSharedStore();
    // Positive control: the session is there, keyed by the SHA-256 of its token.
    expect(dump.map(({ where }) => where)).toEqual(
      expect.arrayContaining([expect.stringContaining(`session:${issued.hashes.loginSession}`)]),
    );

    expect(leaks(dump, issued.secrets)).toEqual([]);
  });
});
