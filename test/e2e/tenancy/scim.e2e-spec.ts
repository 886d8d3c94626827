import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Json, Reply, call, caller, expectProblem } from '../../support/client';
import { Signed, addMember, createApiKey, signup, uniqueEmail } from '../../support/factories';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { createTestApp } from '../../support/test-app';
import { clockPast, pollUntil } from '../../support/waiting';

/**
 * SCIM 2.0 provisioning (RFC 7643/7644). No maintained SCIM *client* library exists on npm (the
 * SCIM packages there are servers or parsers: scimgateway, scimmy, scim-patch), so the identity
 * provider is played with plain HTTP, sending what Okta and Entra ID send: the RFC's request
 * shapes (RFC 7644 §3.3 creation, §3.4.2 filtered lists, §3.5.2 PATCH), Okta's `replace` without a
 * path, Entra ID's capitalised ops, string booleans and `excludedAttributes=members`.
 *
 * Two app instances share the database and Redis, as two production instances do: a deprovisioning
 * on one ends the member's session and API keys on the other within a second (the credential near
 * cache holds a resolution for 1 s at most).
 */

const SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
};

const suite = useTestAppWithOwnerDb();
const v1 = caller(() => suite.app);
let second: NestFastifyApplication;

beforeAll(async () => {
  ({ app: second } = await createTestApp());
});

afterAll(async () => {
  await second?.close();
});

/** A SCIM request as an identity provider sends it: `application/scim+json` both ways, the SCIM token as bearer. */
function scim(
  token: string | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: object,
  app = suite.app,
) {
  return app.inject({
    method,
    url: `/scim/v2${path}`,
    headers: {
      accept: 'application/scim+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
    },
    payload: body ? JSON.stringify(body) : undefined,
  });
}

/** A SCIM error body (RFC 7644 §3.12) with `status` as a string, and `scimType` when one applies. */
function expectScimError(response: Reply, status: number, scimType?: string): Json {
  expect({ status: response.statusCode, body: response.body.slice(0, 300) }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = response.json();
  expect(body).toMatchObject({ schemas: [SCHEMAS.error], status: String(status), detail: expect.any(String) });
  if (scimType) expect(body.scimType).toBe(scimType);
  else expect(body).not.toHaveProperty('scimType');
  return body;
}

function expectScim(response: Reply, status: number): Json {
  expect({ status: response.statusCode, body: response.body.slice(0, 400) }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  return response.json();
}

async function scimToken(owner: Signed, name = 'Okta'): Promise<string> {
  const created = await v1('POST', '/v1/scim-tokens', owner.token, { name });
  expect(created.statusCode).toBe(201);
  return created.json().token;
}

/** RFC 7644 §3.3's example user, as Okta sends it on assignment. */
function oktaUser(email: string, extra: object = {}): object {
  return {
    schemas: [SCHEMAS.user],
    userName: email,
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: 'Babs Jensen',
    locale: 'en-US',
    externalId: `00u${email.slice(0, 8)}`,
    groups: [],
    password: 'ignored-by-atrium-1!',
    active: true,
    ...extra,
  };
}

const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`;

/** An organization with a SCIM token and a verified email domain (SCIM creates and links accounts of verified domains only). */
interface ScimOrg {
  readonly owner: Signed;
  readonly token: string;
  readonly domain: string;
  /** A fresh address in the verified domain. */
  readonly email: (label?: string) => string;
}

async function scimOrg(tokenName = 'Okta'): Promise<ScimOrg> {
  const owner = await signup(suite.app);
  const domain = `scim-${randomUUID().slice(0, 8)}.example`;
  // Verifying a domain takes a DNS TXT record (the SSO suite serves one); here the verified state is seeded.
  await suite.db.query(
    `insert into sso_domains (id, org_id, domain, verification_token, verified_at) values ($1, $2, $3, 'seeded', now())`,
    [randomUUID(), owner.orgId, domain],
  );
  return {
    owner,
    token: await scimToken(owner, tokenName),
    domain,
    email: (label = 'scim') => `${label}-${randomUUID().slice(0, 8)}@${domain}`,
  };
}

async function provision(org: ScimOrg, email = org.email(), extra: object = {}): Promise<Json> {
  return expectScim(await scim(org.token, 'POST', '/Users', oktaUser(email, extra)), 201);
}

async function roleOf(owner: Signed, userId: string): Promise<string | undefined> {
  const members = await v1('GET', '/v1/members?limit=100', owner.token);
  return (members.json().data as Json[]).find((member) => member.userId === userId)?.role;
}

describe('SCIM tokens (product API)', () => {
  it('shows the token once, lists it without the secret, and revokes it (SCIM refuses it afterwards)', async () => {
    const owner = await signup(suite.app);
    const created = await v1('POST', '/v1/scim-tokens', owner.token, { name: 'Okta provisioning' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.token).toMatch(/^scim_[A-Za-z0-9_-]{65}$/);
    expect(body).toMatchObject({
      name: 'Okta provisioning',
      createdBy: owner.userId,
      revokedAt: null,
      baseUrl: expect.stringMatching(/\/scim\/v2$/),
    });
    expect(body.token.startsWith(body.prefix.replace(/…$/, ''))).toBe(true);

    const list = await v1('GET', '/v1/scim-tokens', owner.token);
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toEqual([expect.objectContaining({ id: body.id, prefix: body.prefix })]);
    expect(list.body).not.toContain(body.token);
    expect(list.body).not.toContain(body.token.slice(-20));

    expectScim(await scim(body.token, 'GET', '/Users'), 200);
    expect((await v1('DELETE', `/v1/scim-tokens/${body.id}`, owner.token)).statusCode).toBe(204);
    expectScimError(await scim(body.token, 'GET', '/Users'), 401);
    expectProblem(await v1('DELETE', `/v1/scim-tokens/${body.id}`, owner.token), 404, 'SCIM_TOKEN_NOT_FOUND');
  });

  it('stops working once it expires', async () => {
    const owner = await signup(suite.app);
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    const created = await v1('POST', '/v1/scim-tokens', owner.token, { name: 'Short-lived', expiresAt });
    expect(created.json()).toMatchObject({ expiresAt });
    const token = created.json().token as string;
    expectScim(await scim(token, 'GET', '/Users'), 200);
    await clockPast(expiresAt);
    // A resolution may be served from the near cache for up to a second after its expiry.
    const refused = await pollUntil(
      () => scim(token, 'GET', '/Users'),
      (response) => response.statusCode === 401,
      { timeoutMs: 3_000 },
    );
    expectScimError(refused, 401);
  });

  it('needs identity:manage (owners only) and a session; validates the body', async () => {
    const owner = await signup(suite.app);
    const admin = await addMember(suite.app, owner, 'admin');
    const member = await addMember(suite.app, owner, 'member');
    expect((await v1('POST', '/v1/scim-tokens', owner.token, { name: 'Entra ID' })).statusCode).toBe(201);
    // An admin's identity provider could deprovision or demote owners: SCIM is the owners' to connect.
    expectProblem(await v1('POST', '/v1/scim-tokens', admin.token, { name: 'x' }), 403, 'FORBIDDEN');
    expectProblem(await v1('POST', '/v1/scim-tokens', member.token, { name: 'x' }), 403, 'FORBIDDEN');
    expectProblem(await v1('GET', '/v1/scim-tokens', member.token), 403, 'FORBIDDEN');
    const key = await createApiKey(suite.app, owner, ['identity:manage']);
    expectProblem(await v1('POST', '/v1/scim-tokens', key.secret, { name: 'x' }), 403, 'FORBIDDEN');
    expectProblem(await v1('POST', '/v1/scim-tokens', owner.token, { name: '' }), 400, 'VALIDATION_FAILED');
    expectProblem(await v1('POST', '/v1/scim-tokens', owner.token, { name: 'x', scope: 'all' }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await v1('POST', '/v1/scim-tokens', owner.token, { name: 'x', expiresAt: '2020-01-01T00:00:00Z' }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('SCIM authentication', () => {
  it('takes a SCIM token and nothing else; a SCIM token opens nothing under /v1', async () => {
    const owner = await signup(suite.app);
    const token = await scimToken(owner);
    const key = await createApiKey(suite.app, owner, ['members:read']);

    expectScimError(await scim(undefined, 'GET', '/Users'), 401);
    expectScimError(await scim(owner.token, 'GET', '/Users'), 401);
    expectScimError(await scim(key.secret, 'GET', '/Users'), 401);
    expectScimError(await scim(`${token.slice(0, -2)}AA`, 'GET', '/Users'), 401);
    expectScimError(await scim('scim_not-a-token-at-all-but-long-enough', 'GET', '/ServiceProviderConfig'), 401);
    expectProblem(await v1('GET', '/v1/me', token), 401, 'INVALID_CREDENTIALS');
    expectProblem(await v1('GET', '/v1/members', token), 401, 'INVALID_CREDENTIALS');
  });

  it('answers the discovery documents (RFC 7644 §4) as application/scim+json', async () => {
    const token = await scimToken(await signup(suite.app));
    const configResponse = await scim(token, 'GET', '/ServiceProviderConfig');
    const config = expectScim(configResponse, 200);
    // Rate limited per token and per organization, like every authenticated route; tenant-data headers.
    expect(configResponse.headers).toMatchObject({
      'ratelimit-limit': expect.anything(),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': expect.any(String),
    });
    expect(config).toMatchObject({ patch: { supported: true }, filter: { supported: true, maxResults: 200 }, bulk: { supported: false } });
    expect(config.authenticationSchemes[0].type).toBe('oauthbearertoken');
    const types = expectScim(await scim(token, 'GET', '/ResourceTypes'), 200);
    expect(types).toMatchObject({ schemas: [SCHEMAS.list], totalResults: 2 });
    expect(types.Resources.map((type: Json) => type.endpoint)).toEqual(['/Users', '/Groups']);
    const schemas = expectScim(await scim(token, 'GET', '/Schemas'), 200);
    expect(schemas.Resources.map((schema: Json) => schema.id)).toEqual([SCHEMAS.user, SCHEMAS.group]);
    expectScim(await scim(token, 'GET', `/Schemas/${SCHEMAS.user}`), 200);
    expectScim(await scim(token, 'GET', '/ResourceTypes/Group'), 200);
    expectScimError(await scim(token, 'GET', '/ResourceTypes/Printer'), 404);
    // An unknown route under /scim/v2 is a SCIM error too.
    expectScimError(await scim(token, 'GET', '/Printers'), 404);
  });
});

describe('SCIM Users: an Okta session', () => {
  it('looks the user up, creates, reads, filters, deactivates, reactivates and deletes them', async () => {
    const org = await scimOrg();
    const { owner, token } = org;
    const email = org.email('bjensen');

    // Okta first asks whether the user exists (RFC 7644 §3.4.2.2).
    const lookup = expectScim(await scim(token, 'GET', `/Users?${filterQuery(`userName eq "${email}"`)}&startIndex=1&count=100`), 200);
    expect(lookup).toEqual({ schemas: [SCHEMAS.list], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    const createdResponse = await scim(token, 'POST', '/Users', oktaUser(email));
    const created = expectScim(createdResponse, 201);
    expect(created).toMatchObject({
      schemas: [SCHEMAS.user],
      id: expect.any(String),
      userName: email,
      externalId: `00u${email.slice(0, 8)}`,
      displayName: 'Babs Jensen',
      active: true,
      emails: [{ value: email, primary: true, type: 'work' }],
      roles: [{ value: 'member', primary: true }],
      meta: { resourceType: 'User', location: expect.stringContaining(`/scim/v2/Users/${created.id}`) },
    });
    expect(createdResponse.headers.location).toBe(created.meta.location);
    expect(createdResponse.body).not.toContain('ignored-by-atrium');
    expect(await roleOf(owner, created.id)).toBe('member');

    // userName is case-insensitive (RFC 7643 §4.1.1); externalId is case-exact.
    const found = expectScim(await scim(token, 'GET', `/Users?${filterQuery(`userName eq "${email.toUpperCase()}"`)}`), 200);
    expect(found).toMatchObject({ totalResults: 1, Resources: [expect.objectContaining({ id: created.id })] });
    const byExternal = await scim(token, 'GET', `/Users?${filterQuery(`externalId eq "${created.externalId}" and active eq true`)}`);
    expect(expectScim(byExternal, 200).totalResults).toBe(1);
    expect(
      expectScim(await scim(token, 'GET', `/Users?${filterQuery(`externalId eq "${created.externalId.toUpperCase()}"`)}`), 200)
        .totalResults,
    ).toBe(0);
    expect(expectScim(await scim(token, 'GET', `/Users/${created.id}`), 200)).toMatchObject({ id: created.id, userName: email });
    const projected = expectScim(await scim(token, 'GET', `/Users/${created.id}?attributes=userName`), 200);
    expect(Object.keys(projected).sort()).toEqual(['id', 'schemas', 'userName']);

    // The provisioned account has no usable password: it signs in through SSO.
    const login = await v1('POST', '/v1/auth/login', undefined, { email, password: 'ignored-by-atrium-1!' });
    expectProblem(login, 401, 'INVALID_CREDENTIALS');

    // Okta deactivates with a replace and no path (its "PATCH" mode).
    const deactivated = await scim(token, 'PATCH', `/Users/${created.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(expectScim(deactivated, 200)).toMatchObject({ id: created.id, active: false, roles: [] });
    expect(await roleOf(owner, created.id)).toBeUndefined();
    expect(expectScim(await scim(token, 'GET', `/Users?${filterQuery('active eq false')}`), 200).Resources).toEqual([
      expect.objectContaining({ id: created.id, active: false }),
    ]);

    const reactivated = await scim(token, 'PATCH', `/Users/${created.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(expectScim(reactivated, 200)).toMatchObject({ active: true, roles: [{ value: 'member', primary: true }] });
    expect(await roleOf(owner, created.id)).toBe('member');

    // Okta's PUT: the whole resource, a new name.
    const replaced = await scim(
      token,
      'PUT',
      `/Users/${created.id}`,
      oktaUser(email, { displayName: undefined, name: { givenName: 'Barbara', familyName: 'Jensen-Smith' } }),
    );
    expect(expectScim(replaced, 200)).toMatchObject({ displayName: 'Barbara Jensen-Smith', active: true });

    expect((await scim(token, 'DELETE', `/Users/${created.id}`)).statusCode).toBe(204);
    expectScimError(await scim(token, 'GET', `/Users/${created.id}`), 404);
    expect(await roleOf(owner, created.id)).toBeUndefined();
    expectScimError(await scim(token, 'DELETE', `/Users/${created.id}`), 404);
  });

  it('takes Entra ID patches: capitalised ops, paths, "False" as a string', async () => {
    const org = await scimOrg('Entra ID');
    const { token } = org;
    const user = await provision(org);
    const patched = await scim(token, 'PATCH', `/Users/${user.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [
        { op: 'Replace', path: 'name.givenName', value: 'Ada' },
        { op: 'Replace', path: 'name.familyName', value: 'Lovelace' },
        { op: 'Add', path: 'externalId', value: 'entra-object-id-1' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Analytics' },
        { op: 'Add', path: 'title', value: 'Countess' },
      ],
    });
    expect(expectScim(patched, 200)).toMatchObject({ displayName: 'Ada Lovelace', externalId: 'entra-object-id-1', active: true });

    const off = await scim(token, 'PATCH', `/Users/${user.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(expectScim(off, 200).active).toBe(false);
  });

  it('pages with startIndex and count (RFC 7644 §3.4.2.4)', async () => {
    const org = await scimOrg();
    const { token } = org;
    for (let index = 0; index < 3; index++) await provision(org);
    // The owner is a user of the org too: four in all.
    const first = expectScim(await scim(token, 'GET', '/Users?startIndex=1&count=2'), 200);
    expect(first).toMatchObject({ totalResults: 4, startIndex: 1, itemsPerPage: 2 });
    const second = expectScim(await scim(token, 'GET', '/Users?startIndex=3&count=2'), 200);
    expect(second).toMatchObject({ totalResults: 4, startIndex: 3, itemsPerPage: 2 });
    const ids = [...first.Resources, ...second.Resources].map((user: Json) => user.id);
    expect(new Set(ids).size).toBe(4);
    expect(expectScim(await scim(token, 'GET', '/Users?startIndex=0&count=0'), 200)).toMatchObject({
      totalResults: 4,
      startIndex: 1,
      itemsPerPage: 0,
    });
    expect(expectScim(await scim(token, 'GET', '/Users?count=1000'), 200).itemsPerPage).toBe(4);
  });

  it('answers bad requests with SCIM errors and their scimType', async () => {
    const org = await scimOrg();
    const { owner, token } = org;
    const user = await provision(org);

    expectScimError(await scim(token, 'GET', `/Users?${filterQuery('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await scim(token, 'GET', `/Users?${filterQuery('title eq "x"')}`), 400, 'invalidFilter');
    expectScimError(await scim(token, 'GET', '/Users?startIndex=two'), 400, 'invalidValue');
    expectScimError(await scim(token, 'POST', '/Users', oktaUser(user.userName)), 409, 'uniqueness');
    expectScimError(await scim(token, 'POST', '/Users', oktaUser(owner.email)), 409, 'uniqueness');
    expectScimError(await scim(token, 'POST', '/Users', { userName: org.email() }), 400, 'invalidSyntax');
    expectScimError(await scim(token, 'POST', '/Users', oktaUser('not an email')), 400, 'invalidValue');
    expectScimError(
      await scim(token, 'PATCH', `/Users/${user.id}`, { schemas: [SCHEMAS.patch], Operations: [{ op: 'move', path: 'active' }] }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim(token, 'PATCH', `/Users/${user.id}`, { schemas: [SCHEMAS.patch], Operations: [{ op: 'remove' }] }),
      400,
      'noTarget',
    );
    expectScimError(
      await scim(token, 'PATCH', `/Users/${user.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', path: 'active', value: 'maybe' }],
      }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim(token, 'PATCH', `/Users/${user.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', path: 'members[', value: 1 }],
      }),
      400,
      'invalidPath',
    );
    expectScimError(await scim(token, 'GET', '/Users/not-a-uuid'), 404);
    expectScimError(await scim(token, 'GET', `/Users/${'a'.repeat(5_000)}`), 414);
    expectScimError(await scim(token, 'GET', '/Users/%E0%A4%A'), 400);
    expectScimError(await scim(token, 'GET', '/Users/0193a3c2-7b1e-7cc0-8f00-123456789abc'), 404);

    const malformed = await suite.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      payload: '{"schemas": [',
    });
    expectScimError(malformed, 400, 'invalidSyntax');
    const plain = await suite.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expectScimError(plain, 415);
    // No body at all on a write: invalidSyntax, never a 500.
    const anyId = '0193a3c2-7b1e-7cc0-8f00-123456789abc';
    for (const [method, path] of [
      ['POST', '/Users'],
      ['PUT', `/Users/${anyId}`],
      ['PATCH', `/Users/${anyId}`],
      ['POST', '/Groups'],
      ['PUT', `/Groups/${anyId}`],
      ['PATCH', `/Groups/${anyId}`],
    ] as const) {
      expectScimError(await scim(token, method, path), 400, 'invalidSyntax');
    }
    // application/json is accepted as well (RFC 7644 §3.1); scim+json is not accepted under /v1.
    const asJson = await suite.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(oktaUser(org.email())),
    });
    expectScim(asJson, 201);
    // The hardening rules hold here too: an object body, no NUL, bounded nesting; answered as SCIM errors.
    const raw = (payload: string) =>
      suite.app.inject({
        method: 'POST',
        url: '/scim/v2/Users',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        payload,
      });
    expectScimError(await raw('[]'), 400, 'invalidValue');
    expectScimError(await raw('null'), 400, 'invalidValue');
    expectScimError(await raw(JSON.stringify(oktaUser('nul\u0000@example.com'))), 400, 'invalidValue');
    expectScimError(await raw(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`), 400, 'invalidSyntax');
    const onV1 = await suite.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/scim+json' },
      payload: '{"firstName":"A","lastName":"B"}',
    });
    expectProblem(onV1, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('links an existing account of a verified domain, keeps its name, refuses other domains and keeps the last owner', async () => {
    const org = await scimOrg();
    const { owner, token } = org;
    const other = await signup(suite.app, { email: org.email('other') });

    const linked = await provision(org, other.email, { displayName: 'Someone Else' });
    expect(linked).toMatchObject({ id: other.userId, userName: other.email, displayName: 'Test Owner', active: true });
    expectScimError(
      await scim(token, 'PATCH', `/Users/${linked.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', path: 'userName', value: uniqueEmail() }],
      }),
      400,
      'mutability',
    );
    // Only addresses of a verified domain: no new account, no link to an existing one, no new userName elsewhere.
    const stranger = await signup(suite.app);
    const refused = await scim(token, 'POST', '/Users', oktaUser(stranger.email));
    expectScimError(refused, 403);
    expect(refused.body).not.toContain('Test Owner');
    expectScimError(await scim(token, 'POST', '/Users', oktaUser(uniqueEmail())), 403);
    const own = await provision(org);
    expectScimError(
      await scim(token, 'PATCH', `/Users/${own.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', path: 'userName', value: uniqueEmail() }],
      }),
      403,
    );
    const moved = org.email('moved');
    expect(
      expectScim(
        await scim(token, 'PATCH', `/Users/${own.id}`, {
          schemas: [SCHEMAS.patch],
          Operations: [{ op: 'replace', path: 'userName', value: moved }],
        }),
        200,
      ),
    ).toMatchObject({ userName: moved, emails: [expect.objectContaining({ value: moved })] });

    // Their own organization still works for them.
    expect((await v1('GET', '/v1/me', other.token)).statusCode).toBe(200);

    // The owner is a SCIM user of the org; while they are the only owner, SCIM cannot deprovision them.
    const self = expectScim(await scim(token, 'GET', `/Users?${filterQuery(`userName eq "${owner.email}"`)}`), 200).Resources[0];
    expect(self).toMatchObject({ id: owner.userId, roles: [{ value: 'owner', primary: true }] });
    expectScimError(
      await scim(token, 'PATCH', `/Users/${owner.userId}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
      409,
    );
    expectScimError(await scim(token, 'DELETE', `/Users/${owner.userId}`), 409);
    expect((await v1('GET', '/v1/me', owner.token)).statusCode).toBe(200);
  });
});

describe('SCIM Groups and roles', () => {
  it('creates, filters, patches (Okta and Entra ID styles) and deletes groups', async () => {
    const org = await scimOrg();
    const { owner, token } = org;
    const [ada, bob, cyd] = [await provision(org), await provision(org), await provision(org)];

    const created = expectScim(
      await scim(token, 'POST', '/Groups', {
        schemas: [SCHEMAS.group],
        displayName: 'Engineering',
        externalId: '00g1',
        members: [{ value: ada.id, display: ada.userName }],
      }),
      201,
    );
    expect(created).toMatchObject({
      displayName: 'Engineering',
      externalId: '00g1',
      members: [expect.objectContaining({ value: ada.id, type: 'User' })],
    });
    expectScimError(await scim(token, 'POST', '/Groups', { schemas: [SCHEMAS.group], displayName: 'engineering' }), 409, 'uniqueness');

    const byName = expectScim(
      await scim(token, 'GET', `/Groups?${filterQuery('displayName eq "ENGINEERING"')}&excludedAttributes=members`),
      200,
    );
    expect(byName.totalResults).toBe(1);
    expect(byName.Resources[0]).not.toHaveProperty('members');
    expect(expectScim(await scim(token, 'GET', `/Groups?${filterQuery(`members[value eq "${ada.id}"]`)}`), 200).totalResults).toBe(1);

    // Okta: add with a path, remove through a value filter.
    const patchOf = (...operations: object[]) => ({ schemas: [SCHEMAS.patch], Operations: operations });
    await scim(
      token,
      'PATCH',
      `/Groups/${created.id}`,
      patchOf({ op: 'add', path: 'members', value: [{ value: bob.id }, { value: cyd.id }] }),
    );
    let group = expectScim(
      await scim(token, 'PATCH', `/Groups/${created.id}`, patchOf({ op: 'remove', path: `members[value eq "${ada.id}"]` })),
      200,
    );
    expect(group.members.map((member: Json) => member.value).sort()).toEqual([bob.id, cyd.id].sort());
    // Entra ID: capitalised, remove with a value list, rename without a path.
    group = expectScim(
      await scim(
        token,
        'PATCH',
        `/Groups/${created.id}`,
        patchOf({ op: 'Remove', path: 'members', value: [{ value: bob.id }] }, { op: 'Replace', value: { displayName: 'Platform' } }),
      ),
      200,
    );
    expect(group).toMatchObject({ displayName: 'Platform', members: [expect.objectContaining({ value: cyd.id })] });
    expect(expectScim(await scim(token, 'GET', `/Users/${cyd.id}`), 200).groups).toEqual([
      expect.objectContaining({ value: created.id, display: 'Platform' }),
    ]);

    expectScimError(
      await scim(token, 'PATCH', `/Groups/${created.id}`, patchOf({ op: 'add', path: 'members', value: [{ value: owner.orgId }] })),
      400,
      'invalidValue',
    );
    const replaced = expectScim(
      await scim(token, 'PUT', `/Groups/${created.id}`, {
        schemas: [SCHEMAS.group],
        displayName: 'Platform',
        members: [{ value: ada.id }],
      }),
      200,
    );
    expect(replaced.members.map((member: Json) => member.value)).toEqual([ada.id]);

    expect((await scim(token, 'DELETE', `/Groups/${created.id}`)).statusCode).toBe(204);
    expectScimError(await scim(token, 'GET', `/Groups/${created.id}`), 404);
  });

  it('maps groups to roles: the highest mapped role wins, member when none is left, owners untouched', async () => {
    const org = await scimOrg();
    const { owner, token } = org;
    const user = await provision(org);
    const admins = expectScim(
      await scim(token, 'POST', '/Groups', {
        schemas: [SCHEMAS.group],
        displayName: 'Admins',
        members: [{ value: user.id }, { value: owner.userId }],
      }),
      201,
    );
    const readers = expectScim(
      await scim(token, 'POST', '/Groups', { schemas: [SCHEMAS.group], displayName: 'Readers', members: [{ value: user.id }] }),
      201,
    );

    const listed = await v1('GET', '/v1/scim-groups', owner.token);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: admins.id, displayName: 'Admins', role: null, memberCount: 2 })]),
    );

    const mapped = await v1('PATCH', `/v1/scim-groups/${readers.id}`, owner.token, { role: 'viewer' });
    expect(mapped.statusCode).toBe(200);
    expect(mapped.json()).toMatchObject({ id: readers.id, role: 'viewer', memberCount: 1 });
    expect(await roleOf(owner, user.id)).toBe('viewer');
    expect((await v1('PATCH', `/v1/scim-groups/${admins.id}`, owner.token, { role: 'admin' })).statusCode).toBe(200);
    expect(await roleOf(owner, user.id)).toBe('admin');
    expect(await roleOf(owner, owner.userId)).toBe('owner');

    // Leaving the admin group leaves the viewer group's role; leaving every mapped group, member.
    const patchOf = (...operations: object[]) => ({ schemas: [SCHEMAS.patch], Operations: operations });
    expectScim(await scim(token, 'PATCH', `/Groups/${admins.id}`, patchOf({ op: 'remove', path: `members[value eq "${user.id}"]` })), 200);
    expect(await roleOf(owner, user.id)).toBe('viewer');
    expect((await v1('PATCH', `/v1/scim-groups/${readers.id}`, owner.token, { role: null })).statusCode).toBe(200);
    expect(await roleOf(owner, user.id)).toBe('member');

    expectProblem(await v1('PATCH', `/v1/scim-groups/${readers.id}`, owner.token, { role: 'owner' }), 400, 'VALIDATION_FAILED');
    expectProblem(await v1('PATCH', `/v1/scim-groups/${readers.id}`, owner.token, {}), 400, 'VALIDATION_FAILED');
    const member = await addMember(suite.app, owner, 'member');
    expectProblem(await v1('PATCH', `/v1/scim-groups/${readers.id}`, member.token, { role: 'admin' }), 403, 'FORBIDDEN');
    expectProblem(await v1('PATCH', `/v1/scim-groups/${owner.orgId}`, owner.token, { role: 'admin' }), 404, 'SCIM_GROUP_NOT_FOUND');

    // Each mapping is audited with the security events it raised.
    const events = await v1('GET', '/v1/audit-events?limit=100&action=scim-group-role.map', owner.token);
    expect(events.statusCode).toBe(200);
    expect(events.json().data.filter((event: Json) => event.outcome === 'success')).toHaveLength(3);
    expect(events.json().data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          target: expect.objectContaining({ id: admins.id }),
          details: expect.objectContaining({ events: ['scim.group.role-mapped', 'member.role.changed'] }),
        }),
      ]),
    );
  });
});

describe('SCIM across organizations', () => {
  it("cannot see or change another organization's users and groups", async () => {
    const orgA = await scimOrg();
    const orgB = await scimOrg();
    const [ownerA, ownerB, tokenA, tokenB] = [orgA.owner, orgB.owner, orgA.token, orgB.token];
    const userA = await provision(orgA);
    const groupA = expectScim(
      await scim(tokenA, 'POST', '/Groups', { schemas: [SCHEMAS.group], displayName: 'A team', members: [{ value: userA.id }] }),
      201,
    );

    expect(expectScim(await scim(tokenB, 'GET', `/Users?${filterQuery(`userName eq "${userA.userName}"`)}`), 200).totalResults).toBe(0);
    const everyoneB = expectScim(await scim(tokenB, 'GET', '/Users'), 200);
    expect(everyoneB.Resources.map((user: Json) => user.id)).toEqual([ownerB.userId]);
    expect(expectScim(await scim(tokenB, 'GET', '/Groups'), 200).totalResults).toBe(0);
    expectScimError(await scim(tokenB, 'GET', `/Users/${userA.id}`), 404);
    expectScimError(
      await scim(tokenB, 'PATCH', `/Users/${userA.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', value: { active: false } }],
      }),
      404,
    );
    expectScimError(await scim(tokenB, 'PUT', `/Users/${userA.id}`, oktaUser(userA.userName)), 404);
    expectScimError(await scim(tokenB, 'DELETE', `/Users/${userA.id}`), 404);
    expectScimError(await scim(tokenB, 'GET', `/Groups/${groupA.id}`), 404);
    expectScimError(
      await scim(tokenB, 'PATCH', `/Groups/${groupA.id}`, {
        schemas: [SCHEMAS.patch],
        Operations: [{ op: 'replace', value: { displayName: 'x' } }],
      }),
      404,
    );
    expectScimError(await scim(tokenB, 'DELETE', `/Groups/${groupA.id}`), 404);
    // B cannot pull A's user in: the address is of a domain B has not verified (A has).
    expectScimError(await scim(tokenB, 'POST', '/Users', oktaUser(userA.userName)), 403);
    // A group of B cannot take A's user as a member.
    expectScimError(
      await scim(tokenB, 'POST', '/Groups', { schemas: [SCHEMAS.group], displayName: 'B team', members: [{ value: userA.id }] }),
      400,
      'invalidValue',
    );
    // The product API of B neither sees nor maps A's group, nor revokes A's token.
    expect((await v1('GET', '/v1/scim-groups', ownerB.token)).json().data).toEqual([]);
    expectProblem(await v1('PATCH', `/v1/scim-groups/${groupA.id}`, ownerB.token, { role: 'admin' }), 404, 'SCIM_GROUP_NOT_FOUND');
    const tokensA = (await v1('GET', '/v1/scim-tokens', ownerA.token)).json().data as Json[];
    expectProblem(await v1('DELETE', `/v1/scim-tokens/${tokensA[0].id}`, ownerB.token), 404, 'SCIM_TOKEN_NOT_FOUND');

    expect(expectScim(await scim(tokenA, 'GET', `/Users/${userA.id}`), 200).active).toBe(true);
    expect(expectScim(await scim(tokenA, 'GET', `/Groups/${groupA.id}`), 200).members).toHaveLength(1);
  });
});

/** Sends `request` until it is refused (401), noting when each attempt started; returns them all. */
async function untilRefused(request: () => Promise<Reply>): Promise<{ startedAt: number; status: number }[]> {
  const attempts: { startedAt: number; status: number }[] = [];
  await pollUntil(
    async () => {
      const startedAt = Date.now();
      const response = await request();
      attempts.push({ startedAt, status: response.statusCode });
      return response.statusCode;
    },
    (status) => status === 401,
    { intervalMs: 20, timeoutMs: 5_000 },
  );
  return attempts;
}

/** Refused within a second of `done`: the last attempt was refused, and none that started a second or more after `done` was accepted. */
function expectRefusedWithinASecond(attempts: readonly { startedAt: number; status: number }[], done: number): void {
  expect(attempts[attempts.length - 1].status).toBe(401);
  expect(attempts.filter((attempt) => attempt.startedAt - done >= 1_000 && attempt.status !== 401)).toEqual([]);
}

describe('SCIM deprovisioning on two instances', () => {
  it('stops a revoked SCIM token on every instance within a second', async () => {
    const owner = await signup(suite.app);
    const created = (await v1('POST', '/v1/scim-tokens', owner.token, { name: 'Okta' })).json();
    for (const app of [suite.app, second]) expectScim(await scim(created.token, 'GET', '/Users', undefined, app), 200);

    expect((await v1('DELETE', `/v1/scim-tokens/${created.id}`, owner.token)).statusCode).toBe(204);
    const done = Date.now();
    expectScimError(await scim(created.token, 'GET', '/Users'), 401);
    expectRefusedWithinASecond(await untilRefused(() => scim(created.token, 'GET', '/Users', undefined, second)), done);
  });

  for (const how of ['active: false', 'DELETE'] as const) {
    it(`ends the member's session and API keys on every instance within a second (${how})`, async () => {
      const owner = await signup(suite.app);
      const token = await scimToken(owner);
      // An admin: members cannot create API keys.
      const member = await addMember(suite.app, owner, 'admin');
      const key = await createApiKey(suite.app, member, ['contacts:read']);
      const scimUser = expectScim(await scim(token, 'GET', `/Users?${filterQuery(`userName eq "${member.email}"`)}`), 200).Resources[0];
      expect(scimUser).toMatchObject({ id: member.userId, active: true });

      // Both credentials work on both instances, and the second instance now holds them in its near cache.
      for (const app of [suite.app, second]) {
        expect((await call(app, 'GET', '/v1/me', { token: member.token })).statusCode).toBe(200);
        expect((await call(app, 'GET', '/v1/contacts', { token: key.secret })).statusCode).toBe(200);
      }

      const deprovision =
        how === 'DELETE'
          ? await scim(token, 'DELETE', `/Users/${member.userId}`)
          : await scim(token, 'PATCH', `/Users/${member.userId}`, {
              schemas: [SCHEMAS.patch],
              Operations: [{ op: 'replace', value: { active: false } }],
            });
      const done = Date.now();
      expect(deprovision.statusCode).toBe(how === 'DELETE' ? 204 : 200);

      // This instance forgot them at once.
      expectProblem(await call(suite.app, 'GET', '/v1/me', { token: member.token }), 401, 'INVALID_CREDENTIALS');
      expectProblem(await call(suite.app, 'GET', '/v1/contacts', { token: key.secret }), 401, 'INVALID_CREDENTIALS');

      // The other instance: no call started a second or more after the deprovisioning is accepted.
      for (const [path, credential] of [
        ['/v1/me', member.token],
        ['/v1/contacts', key.secret],
      ] as const) {
        expectRefusedWithinASecond(await untilRefused(() => call(second, 'GET', path, { token: credential })), done);
      }
      expect((await call(second, 'GET', '/v1/me', { token: member.token })).statusCode).toBe(401);

      const keys = (await v1('GET', '/v1/api-keys?limit=100', owner.token)).json().data as Json[];
      expect(keys.find((listed) => listed.id === key.id)?.revokedAt).toEqual(expect.any(String));
      // Audited as the SCIM request, by the token's principal, with the deprovisioning among its events.
      const action = how === 'DELETE' ? 'scim-user.delete' : 'scim-user.update';
      const events = await v1('GET', `/v1/audit-events?limit=100&action=${action}`, owner.token);
      expect(events.json().data).toEqual([
        expect.objectContaining({
          actor: { type: 'system', id: expect.stringMatching(/^scim-token:/) },
          target: expect.objectContaining({ id: member.userId }),
          outcome: 'success',
          details: expect.objectContaining({ events: ['scim.user.deprovisioned'] }),
        }),
      ]);
    });
  }
});

describe('SCIM deprovisioning and invitations', () => {
  it('keeps a deprovisioned person out: no invitation is made for them, and an earlier one cannot be accepted', async () => {
    const org = await scimOrg();
    // A person with an account (and an organization) of their own, in the org's verified domain.
    const person = await signup(suite.app, { email: org.email('returning') });
    const earlier = await v1('POST', '/v1/invitations', org.owner.token, { email: person.email, role: 'admin' });
    expect(earlier.statusCode).toBe(201);
    const user = await provision(org, person.email);
    const deactivated = await scim(org.token, 'PATCH', `/Users/${user.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(expectScim(deactivated, 200)).toMatchObject({ active: false });

    const accept = (password: string) => v1('POST', '/v1/invitations/accept', undefined, { token: earlier.json().token, password });
    // The password first: a wrong one learns nothing about the account.
    expectProblem(await accept('not the password at all'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await accept(person.password), 403, 'SCIM_DEPROVISIONED');
    expect(await roleOf(org.owner, person.userId)).toBeUndefined();
    const pending = (await v1('GET', '/v1/invitations?limit=100', org.owner.token)).json().data as Json[];
    expect(pending.find((invitation) => invitation.id === earlier.json().id)).toMatchObject({ status: 'pending' });
    expectProblem(
      await v1('POST', '/v1/invitations', org.owner.token, { email: person.email.toUpperCase(), role: 'member' }),
      409,
      'SCIM_DEPROVISIONED',
    );
    const refusals = (await v1('GET', '/v1/audit-events?limit=100&action=invitation.accept', org.owner.token)).json().data as Json[];
    expect(refusals.map((event) => [event.outcome, event.details.code])).toEqual(
      expect.arrayContaining([['denied', 'SCIM_DEPROVISIONED']]),
    );

    // The identity provider brings them back; then the earlier invitation is moot (a member already).
    const reactivated = await scim(org.token, 'PATCH', `/Users/${user.id}`, {
      schemas: [SCHEMAS.patch],
      Operations: [{ op: 'replace', path: 'active', value: true }],
    });
    expect(expectScim(reactivated, 200)).toMatchObject({ active: true });
    expect(await roleOf(org.owner, person.userId)).toEqual(expect.any(String));
    expectProblem(await accept(person.password), 409, 'ALREADY_MEMBER');
  });

  it('leaves other people, and other organizations, alone', async () => {
    const org = await scimOrg();
    const person = await signup(suite.app, { email: org.email('elsewhere') });
    const user = await provision(org, person.email);
    expect(
      (
        await scim(org.token, 'PATCH', `/Users/${user.id}`, {
          schemas: [SCHEMAS.patch],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      ).statusCode,
    ).toBe(200);
    // Another organization invites the same person: its own decision, not this identity provider's.
    const other = await signup(suite.app);
    const invited = await v1('POST', '/v1/invitations', other.token, { email: person.email, role: 'member' });
    expect(invited.statusCode).toBe(201);
    const joined = await v1('POST', '/v1/invitations/accept', undefined, { token: invited.json().token, password: person.password });
    expect({ status: joined.statusCode, org: joined.json().organization?.id }).toEqual({ status: 200, org: other.orgId });
    // In the SCIM org, someone never deprovisioned is invited as before.
    expect((await v1('POST', '/v1/invitations', org.owner.token, { email: org.email('fresh'), role: 'member' })).statusCode).toBe(201);
  });
});
