import { SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import canonicalize from 'canonicalize';
import { Signed, addMember, signup } from '../../support/factories';
import { caller } from '../../support/client';
import { createTestApp } from '../../support/test-app';

/**
 * The outside auditor: holds a report's files and nothing of ours. Fetches the published keys
 * without credentials, checks the key's fingerprint, the manifest's signature and every file's
 * hash with openssl and coreutils alone, and reads the PDF with pdftotext.
 */

let app: NestFastifyApplication;
let call: ReturnType<typeof caller>;
let root: string;

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const PERIOD = { from: new Date(NOW.getTime() - 7 * 86_400_000).toISOString(), to: NOW.toISOString() };
const ORGANIZATIONS = {
  japanese: '株式会社テスト東京',
  arabic: 'شركة المثال للتجارة',
  accented: 'Zoë Łódź Widgets – Ærø',
} as const;

interface Received {
  readonly owner: Signed;
  readonly dir: string;
  readonly reportId: string;
  readonly manifest: { keyId: string; files: { name: string; sha256: string }[] };
  readonly text: string;
  /** `pdftotext -raw`: content order, where a table row reads as one line. */
  readonly rawText: string;
}
const received = new Map<keyof typeof ORGANIZATIONS, Received>();

beforeAll(async () => {
  ({ app } = await createTestApp());
  call = caller(app);
  root = mkdtempSync(join(tmpdir(), 'reports-auditor-'));
  for (const [key, organizationName] of Object.entries(ORGANIZATIONS) as [keyof typeof ORGANIZATIONS, string][]) {
    received.set(key, await receive(organizationName, join(root, key)));
  }
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await app.close();
});

/** What the organization hands its auditor: the report's files, saved under the names the manifest uses. */
async function receive(organizationName: string, dir: string): Promise<Received> {
  const owner = await signup(app, { organizationName });
  const auditor = await addMember(app, owner, 'auditor');
  const created = await call('POST', '/v1/compliance/reports', owner.token, PERIOD);
  expect(created.statusCode).toBe(201);
  const reportId = created.json().id as string;
  spawnSync('mkdir', ['-p', dir]);
  for (const format of ['pdf', 'csv', 'json', 'manifest', 'signature']) {
    const response = await call('GET', `/v1/compliance/reports/${reportId}/download?format=${format}`, auditor.token);
    expect(response.statusCode).toBe(200);
    const name = /filename="([^"]+)"/.exec(String(response.headers['content-disposition']))?.[1] as string;
    writeFileSync(join(dir, name), response.rawPayload);
  }
  const manifest = JSON.parse(run('cat', ['manifest.json'], dir).stdout);
  const text = run('pdftotext', ['-enc', 'UTF-8', 'summary.pdf', '-'], dir).stdout.replace(/[\u202a-\u202e]/g, '');
  const rawText = run('pdftotext', ['-raw', '-enc', 'UTF-8', 'summary.pdf', '-'], dir).stdout;
  return { owner, dir, reportId, manifest, text, rawText };
}

function run(command: string, args: readonly string[], cwd: string, input?: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', input });
  if (result.error) throw result.error;
  return result;
}

function files(key: keyof typeof ORGANIZATIONS): Received {
  const found = received.get(key);
  if (!found) throw new Error(`not received: ${key}`);
  return found;
}

async function publishedKey(
  keyId: string,
): Promise<{ keyId: string; fingerprintSha256: string; publicKeyPem: string; retiredAt: string | null }> {
  const response = await app.inject({ method: 'GET', url: '/.well-known/atrium-signing-keys.json' });
  expect(response.statusCode).toBe(200);
  const key = response.json().keys.find((candidate: { keyId: string }) => candidate.keyId === keyId);
  expect(key).toBeDefined();
  return key;
}

describe('the published signing keys', () => {
  it('are served without credentials, every key with id, fingerprint, algorithm, PEM and validity', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/atrium-signing-keys.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const { issuer, keys } = response.json();
    expect(issuer).toBe('atrium');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toEqual({
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
        algorithm: 'ed25519',
        fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        publicKeyPem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n/),
        validFrom: expect.any(String),
        retiredAt: null === key.retiredAt ? null : expect.any(String),
      });
      expect(key.fingerprintSha256.startsWith(key.keyId)).toBe(true);
    }
    expect(keys.filter((key: { retiredAt: string | null }) => key.retiredAt === null)).toHaveLength(1);
  });

  it('publishes a fingerprint that openssl computes from the PEM', async () => {
    const { dir, manifest } = files('japanese');
    const key = await publishedKey(manifest.keyId);
    writeFileSync(join(dir, 'key.pem'), key.publicKeyPem);
    const der = spawnSync('openssl', ['pkey', '-pubin', '-in', 'key.pem', '-outform', 'DER'], { cwd: dir });
    expect(der.status).toBe(0);
    const digest = spawnSync('openssl', ['dgst', '-sha256', '-r'], { input: der.stdout, encoding: 'utf8' });
    expect(digest.stdout.split(' ')[0]).toBe(key.fingerprintSha256);
  });
});

describe.each(Object.keys(ORGANIZATIONS) as (keyof typeof ORGANIZATIONS)[])('a report of the %s-named organization', (key) => {
  it('has a manifest whose Ed25519 signature openssl verifies with the published key', async () => {
    const { dir, manifest } = files(key);
    writeFileSync(join(dir, 'key.pem'), (await publishedKey(manifest.keyId)).publicKeyPem);
    const verified = run(
      'openssl',
      ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.json.sig'],
      dir,
    );
    expect(`${verified.stdout}${verified.stderr}`).toContain('Signature Verified Successfully');
    expect(verified.status).toBe(0);
  });

  it('has files whose SHA-256 sha256sum checks against the manifest', () => {
    const { dir, manifest } = files(key);
    expect(manifest.files.map((file) => file.name)).toEqual(['summary.pdf', 'evidence.zip', 'report.json']);
    const sums = manifest.files.map((file) => `${file.sha256}  ${file.name}\n`).join('');
    const checked = run('sha256sum', ['-c', '-'], dir, sums);
    expect(checked.stdout).toBe(manifest.files.map((file) => `${file.name}: OK\n`).join(''));
    expect(checked.status).toBe(0);
  });

  it('has a manifest in RFC 8785 canonical form, so a verifier can recompute its bytes', () => {
    const { dir } = files(key);
    const bytes = run('cat', ['manifest.json'], dir).stdout;
    expect(canonicalize(JSON.parse(bytes))).toBe(bytes);
  });

  it('prints the organization name, whatever its script', () => {
    expect(files(key).text).toContain(`Organization: ${ORGANIZATIONS[key]}`);
  });
});

describe('the PDF, read as an auditor reads it', () => {
  it('states its scope: organization, system, period, what is and is not covered', () => {
    const { text, owner } = files('japanese');
    for (const expected of ['Scope', owner.orgId, 'System', 'Atrium', 'Period', PERIOD.from, PERIOD.to, 'Covered:', 'Not covered:']) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('not a SOC 2 Type I or Type II report');
  });

  it('names who requested it', () => {
    const { rawText, owner } = files('japanese');
    expect(rawText).toContain(`Requested by Test Owner <${owner.email}> (user ${owner.userId})`);
  });

  it('describes each control with its description and test procedure', async () => {
    const { owner, reportId, rawText } = files('japanese');
    const report = JSON.parse((await call('GET', `/v1/compliance/reports/${reportId}/download?format=json`, owner.token)).body);
    const flat = rawText.replace(/\s+/g, ' ');
    expect(report.evidence.length).toBeGreaterThan(5);
    for (const record of report.evidence) {
      expect(flat).toContain(`${record.checkId} (v${record.checkVersion})`);
      expect(flat).toContain(`Criteria ${record.criteria.join(', ')}`);
      expect(flat).toContain(`payload SHA-256 ${record.payloadSha256}`);
    }
    expect(flat.match(/Test procedure/g)?.length).toBe(report.evidence.length);
    expect(flat).toContain('Test procedure At generation time, listed every API key that can still authenticate');
    expect(flat).toContain('Control Data subjects can access, correct and erase their personal information');
  });

  it('reads "no activity in period", never "pass", for a check with nothing to examine', async () => {
    const { owner, reportId, rawText } = files('japanese');
    const report = JSON.parse((await call('GET', `/v1/compliance/reports/${reportId}/download?format=json`, owner.token)).body);
    const empty = report.evidence.filter((record: { populationCount: number; result: string }) => record.populationCount === 0);
    expect(empty.map((record: { checkId: string }) => record.checkId)).toContain('privacy-requests');
    for (const record of empty) {
      expect(rawText).toContain(`${record.checkId} (v${record.checkVersion}) ${record.criteria.join(', ')} 0 0 no activity in period`);
      expect(rawText).not.toMatch(new RegExp(`${record.checkId} \\(v\\d+\\) [^\\n]* pass\\n`));
    }
    expect(report.summary.noActivity).toBe(empty.length);
    expect(rawText).toContain(`${report.summary.noActivity} no activity in period`);
  });

  it('prints the signing key id and fingerprint, and the digest of every evidence file', async () => {
    const { rawText, manifest } = files('japanese');
    const key = await publishedKey(manifest.keyId);
    const flat = rawText.replace(/\s+/g, ' ');
    expect(flat).toContain(`Key id ${manifest.keyId}`);
    expect(flat).toContain(`Fingerprint SHA-256 of the public key (SPKI DER): ${key.fingerprintSha256}`);
    expect(flat).toContain('/.well-known/atrium-signing-keys.json');
    for (const file of manifest.files.filter((entry) => entry.name !== 'summary.pdf'))
      expect(flat).toContain(`${file.name} ${file.sha256}`);
  });

  it('numbers its pages', () => {
    const { text, reportId } = files('japanese');
    const pages = text.split('\f').filter((page) => page.trim().length > 0).length;
    expect(pages).toBeGreaterThan(1);
    for (let page = 1; page <= pages; page += 1) expect(text).toContain(`Compliance report ${reportId} - page ${page} of ${pages}`);
  });
});
