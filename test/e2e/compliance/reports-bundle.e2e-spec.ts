import { spawnSync } from 'node:child_process';
import { verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { caller } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { csvText, parseCsv, sha256Hex } from './reports-support';

/** A generated report bundle: what each file holds, and that the signed manifest vouches for every byte. */

let tmp: string;

// The period ends now: the access and API-key checks are snapshots taken when the report is generated.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const PERIOD = { from: new Date(NOW.getTime() - 7 * 86_400_000).toISOString(), to: NOW.toISOString() };
const ORG_NAME = 'Zoë Widgets (EU), Ltd';
const FORMATS = ['pdf', 'csv', 'json', 'manifest'] as const;
const TRICKY_KEY_NAME = '=HYPERLINK("http://evil"), "Zoë’s" key';
const ROTATION_REASON = 'older than the 365-day rotation limit';

type Cell = string | number | boolean | null;
interface EvidenceJson {
  id: string;
  checkId: string;
  checkVersion: number;
  criteria: string[];
  result: string;
  populationCount: number;
  population: Record<string, Cell>[];
  exceptions: Record<string, Cell>[];
  payloadSha256: string;
}

let owner: Signed;
let auditor: Signed;
let report: {
  id: string;
  files: { name: string; format: string; sha256: string; bytes: number }[];
  signature: { keyId: string; value: string };
};
let evidence: EvidenceJson[];
const downloads = new Map<string, { body: Buffer; headers: Record<string, unknown> }>();

const suite = useTestAppWithOwnerDb();
const call = caller(() => suite.app);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'reports-e2e-'));

  owner = await signup(suite.app, { organizationName: ORG_NAME });
  auditor = await addMember(suite.app, owner, 'auditor');
  await addMember(suite.app, owner, 'viewer');
  await createApiKey(suite.app, owner, ['contacts:read'], TRICKY_KEY_NAME);
  const stale = await createApiKey(suite.app, owner, ['contacts:read'], 'stale sync');
  await suite.db.query(`update api_keys set created_at = now() - interval '400 days' where id = $1`, [stale.id]);

  const created = await call('POST', '/v1/compliance/reports', owner.token, PERIOD);
  expect(created.statusCode).toBe(201);
  report = created.json();
  for (const format of [...FORMATS, 'signature']) {
    const response = await call('GET', `/v1/compliance/reports/${report.id}/download?format=${format}`, auditor.token);
    expect(response.statusCode).toBe(200);
    downloads.set(format, { body: response.rawPayload, headers: response.headers });
  }
  evidence = JSON.parse(file('json').toString('utf8')).evidence;
});

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
});

function file(format: string): Buffer {
  const download = downloads.get(format);
  if (!download) throw new Error(`not downloaded: ${format}`);
  return download.body;
}

async function publicKey(): Promise<{ keyId: string; publicKeyPem: string }> {
  const response = await call('GET', '/v1/compliance/signing-key', auditor.token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

function openssl(manifest: Buffer, signature: Buffer, publicKeyPem: string): { ok: boolean; output: string } {
  writeFileSync(join(tmp, 'key.pem'), publicKeyPem);
  writeFileSync(join(tmp, 'manifest.json'), manifest);
  writeFileSync(join(tmp, 'manifest.json.sig'), signature);
  const result = spawnSync(
    'openssl',
    ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.json.sig'],
    { cwd: tmp, encoding: 'utf8' },
  );
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

describe('the report', () => {
  it('is ready at once, with its four files and a signature', () => {
    expect(report).toMatchObject({
      kind: 'on_demand',
      status: 'ready',
      period: { start: PERIOD.from, end: PERIOD.to },
      requestedBy: owner.userId,
      summary: { checks: evidence.length, populationTotal: evidence.reduce((total, record) => total + record.population.length, 0) },
      signature: { algorithm: 'ed25519', keyId: expect.any(String), value: expect.any(String) },
    });
    expect(evidence.length).toBeGreaterThan(0);
    expect(report.files.map((entry) => [entry.name, entry.format])).toEqual([
      ['summary.pdf', 'pdf'],
      ['evidence.zip', 'csv'],
      ['report.json', 'json'],
      ['manifest.json', 'manifest'],
    ]);
  });

  it('serves each file with its type, name, hashes and signing key', async () => {
    const { keyId } = await publicKey();
    const types = {
      pdf: /^application\/pdf/,
      csv: /^application\/zip/,
      json: /^application\/json/,
      manifest: /^application\/json/,
      signature: /^application\/octet-stream/,
    };
    for (const [format, { body, headers }] of downloads) {
      const sha256 = sha256Hex(body);
      expect(headers['content-type']).toMatch(types[format as keyof typeof types]);
      expect(headers['content-disposition']).toMatch(/^attachment; filename="[a-z]+\.[a-z.]+"$/);
      expect(headers['x-content-sha256']).toBe(sha256);
      expect(headers['content-digest']).toBe(`sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`);
      expect(headers['digest']).toBeUndefined();
      expect(headers['x-signature-key-id']).toBe(keyId);
      expect(headers['cache-control']).toBe('no-store');
      expect(Number(headers['content-length'])).toBe(body.length);
    }
  });

  it('has a PDF whose text names the organization, period, report, key and every check', () => {
    const path = join(tmp, 'summary.pdf');
    writeFileSync(path, file('pdf'));
    const result = spawnSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const text = result.stdout;
    for (const expected of [ORG_NAME, owner.orgId, PERIOD.from, PERIOD.to, report.id, report.signature.keyId]) {
      expect(text).toContain(expected);
    }
    for (const record of evidence) {
      const label = record.result === 'pass' && record.populationCount === 0 ? 'no activity in period' : record.result;
      expect(text).toContain(
        `${record.checkId} (v${record.checkVersion}) ${record.criteria.join(', ')} ${record.populationCount} ${record.exceptions.length} ${label}`,
      );
    }
    expect(text).toMatch(/api-keys \(v\d+\) CC6\.6 2 1 exceptions/);
    expect(text).toContain(ROTATION_REASON);
  });

  it('has one CSV per check with its own columns, values intact, and no key prefix', () => {
    const entries = unzipSync(file('csv'));
    const csv = (name: string) => parseCsv(Buffer.from(entries[name]).toString('utf8'));
    const [indexHeader, ...indexRows] = csv('index.csv');
    expect(indexRows.map((cells) => cells[indexHeader.indexOf('checkId')])).toEqual(evidence.map((record) => record.checkId));
    for (const record of evidence) {
      const row = indexRows.find((cells) => cells[0] === record.checkId) ?? [];
      expect(row[indexHeader.indexOf('population')]).toBe(String(record.population.length));
      if (record.population.length === 0) {
        expect(row[indexHeader.indexOf('result')]).toBe(record.result === 'pass' ? 'no activity in period' : record.result);
        expect(entries[`${record.checkId}.csv`]).toBeUndefined();
        continue;
      }
      const [header, ...rows] = csv(`${record.checkId}.csv`);
      const keys = [...new Set(record.population.flatMap((populationRow) => Object.keys(populationRow)))].filter(
        (key) => key !== 'prefix' && key !== 'subjectHash',
      );
      expect(header).toEqual(keys);
      expect(rows).toHaveLength(record.population.length);
      rows.forEach((cells, index) => expect(cells).toEqual(keys.map((key) => csvText(record.population[index][key]))));
    }
    const [keyHeader, ...keyRows] = csv('api-keys.csv');
    expect(keyRows.map((cells) => cells[keyHeader.indexOf('name')]).sort()).toEqual([`'${TRICKY_KEY_NAME}`, 'stale sync']);
    expect(keyHeader).not.toContain('prefix');
    const prefixes = evidence.find((record) => record.checkId === 'api-keys')?.population.map((row) => String(row.prefix)) ?? [];
    expect(prefixes).toHaveLength(2);
    const everything = Object.values(entries)
      .map((bytes) => Buffer.from(bytes).toString('utf8'))
      .join('\n');
    for (const prefix of prefixes) expect(everything).not.toContain(prefix);
    expect(csv('access-snapshot.csv')).toHaveLength(4);
  });

  it('has a JSON document with every evidence record exactly as stored, populations and payload hashes included', async () => {
    const document = JSON.parse(file('json').toString('utf8'));
    expect(document).toMatchObject({
      reportId: report.id,
      orgId: owner.orgId,
      organizationName: ORG_NAME,
      period: { start: PERIOD.from, end: PERIOD.to },
    });
    const { rows } = await suite.db.query(
      `select id, check_id, criteria, result, population_count, population, exceptions, payload_sha256, period_start, period_end
       from compliance_evidence where org_id = $1 and id = any($2::uuid[])`,
      [owner.orgId, evidence.map((record) => record.id)],
    );
    expect(rows).toHaveLength(evidence.length);
    for (const row of rows) {
      expect(evidence.find((record) => record.id === row.id)).toMatchObject({
        checkId: row.check_id,
        criteria: row.criteria,
        result: row.result,
        populationCount: row.population_count,
        population: row.population,
        exceptions: row.exceptions,
        payloadSha256: row.payload_sha256,
      });
      expect([row.period_start.toISOString(), row.period_end.toISOString()]).toEqual([PERIOD.from, PERIOD.to]);
    }
    const keys = evidence.find((record) => record.checkId === 'api-keys');
    expect(keys?.exceptions).toEqual([expect.objectContaining({ name: 'stale sync', reason: expect.stringContaining(ROTATION_REASON) })]);
  });
});

describe('the signed manifest', () => {
  it('lists every other file with the SHA-256 and size of its bytes', () => {
    const manifest = JSON.parse(file('manifest').toString('utf8'));
    expect(manifest).toMatchObject({
      reportId: report.id,
      orgId: owner.orgId,
      period: { start: PERIOD.from, end: PERIOD.to },
      keyId: report.signature.keyId,
      algorithm: 'ed25519',
    });
    expect(manifest.files.map((entry: { name: string }) => entry.name)).toEqual(['summary.pdf', 'evidence.zip', 'report.json']);
    for (const [format, name] of [
      ['pdf', 'summary.pdf'],
      ['csv', 'evidence.zip'],
      ['json', 'report.json'],
    ]) {
      const entry = manifest.files.find((candidate: { name: string }) => candidate.name === name);
      expect(entry).toMatchObject({ sha256: sha256Hex(file(format)), bytes: file(format).length });
      expect(report.files.find((candidate) => candidate.name === name)).toMatchObject({ sha256: entry.sha256, bytes: entry.bytes });
    }
    expect(report.files.find((candidate) => candidate.name === 'manifest.json')?.sha256).toBe(sha256Hex(file('manifest')));
  });

  it('verifies with the published key, in node and with openssl', async () => {
    const { keyId, publicKeyPem } = await publicKey();
    expect(keyId).toBe(report.signature.keyId);
    const signature = file('signature');
    expect(signature).toHaveLength(64);
    expect(signature.toString('base64')).toBe(report.signature.value);
    expect(verify(null, file('manifest'), publicKeyPem, signature)).toBe(true);
    const checked = openssl(file('manifest'), signature, publicKeyPem);
    expect(checked.output).toContain('Signature Verified Successfully');
    expect(checked.ok).toBe(true);
  });

  it('fails verification when one byte of the manifest changes', async () => {
    const { publicKeyPem } = await publicKey();
    const altered = Buffer.from(file('manifest'));
    altered[altered.length - 5] ^= 0x01;
    expect(verify(null, altered, publicKeyPem, file('signature'))).toBe(false);
    const checked = openssl(altered, file('signature'), publicKeyPem);
    expect(checked.ok).toBe(false);
    expect(checked.output).toContain('Signature Verification Failure');
  });

  it('no longer matches a file one byte of which changed', () => {
    const manifest = JSON.parse(file('manifest').toString('utf8'));
    for (const [format, name] of [
      ['pdf', 'summary.pdf'],
      ['csv', 'evidence.zip'],
      ['json', 'report.json'],
    ]) {
      const altered = Buffer.from(file(format));
      altered[Math.floor(altered.length / 2)] ^= 0x01;
      expect(sha256Hex(altered)).not.toBe(manifest.files.find((entry: { name: string }) => entry.name === name).sha256);
    }
  });
});

describe('downloads', () => {
  it('are audited as report.download, one event per download', async () => {
    const response = await call('GET', `/v1/audit-events?action=report.download&targetId=${report.id}&limit=100`, owner.token);
    expect(response.statusCode).toBe(200);
    const events = response.json().data;
    expect(events).toHaveLength(downloads.size);
    for (const event of events) {
      expect(event).toMatchObject({
        actor: { type: 'user', id: auditor.userId },
        target: { type: 'report', id: report.id },
        outcome: 'success',
      });
    }
  });
});
