import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/http';
import { addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Json, caller } from '../../support/client';

const suite = useTestApp();
const call = caller(() => suite.app);

const CHECKS = [
  'access-snapshot',
  'sign-in-assurance',
  'provisioning',
  'scim-deprovisioning',
  'api-keys',
  'monitoring',
  'change-management',
  'disposal',
  'privacy-requests',
];

async function collect(token: string, body: object = {}): Promise<Json> {
  const response = await call('POST', '/v1/compliance/evidence/collections', token, body);
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function list(token: string, query = ''): Promise<Json[]> {
  const response = await call('GET', `/v1/compliance/evidence?limit=100${query}`, token);
  expect(response.statusCode).toBe(200);
  return response.json().data;
}

describe('POST /v1/compliance/evidence/collections', () => {
  it('runs every check for the last 24 hours by default and answers the summaries', async () => {
    const owner = await signup(suite.app);
    const before = Date.now();
    const body = await collect(owner.token);
    expect(body.data.map((record: Json) => record.checkId)).toEqual(CHECKS);
    const periodEnd = Date.parse(body.periodEnd);
    expect(periodEnd).toBeGreaterThanOrEqual(before);
    expect(periodEnd - Date.parse(body.periodStart)).toBe(24 * 3_600_000);
    for (const record of body.data) {
      expect(record).toMatchObject({ periodStart: body.periodStart, periodEnd: body.periodEnd, jobRunId: null });
      expect(record.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(record).not.toHaveProperty('population');
      expect(record).not.toHaveProperty('exceptions');
    }
    expect(body.data.find((record: Json) => record.checkId === 'access-snapshot')).toMatchObject({
      criteria: ['CC6.1', 'CC6.3'],
      populationCount: 1,
      exceptionCount: 0,
      result: 'pass',
      summary: { members: 1, privileged: 1 },
    });
  });

  it('collects for the period asked, and the payload hash can be recomputed from the record', async () => {
    const owner = await signup(suite.app);
    const body = await collect(owner.token, { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' });
    expect(body).toMatchObject({ periodStart: '2026-01-01T00:00:00.000Z', periodEnd: '2026-01-02T00:00:00.000Z' });
    for (const { id } of body.data) {
      const response = await call('GET', `/v1/compliance/evidence/${id}`, owner.token);
      expect(response.statusCode).toBe(200);
      const record = response.json();
      const payload = {
        checkId: record.checkId,
        checkVersion: record.checkVersion,
        criteria: record.criteria,
        periodStart: record.periodStart,
        periodEnd: record.periodEnd,
        population: record.population,
        exceptions: record.exceptions,
        summary: record.summary,
        result: record.result,
      };
      expect(createHash('sha256').update(canonicalJson(payload)).digest('hex')).toBe(record.payloadSha256);
      expect(record.population).toHaveLength(record.populationCount);
      expect(record.exceptions).toHaveLength(record.exceptionCount);
    }
  });

  it('rejects a bad period or unknown fields with problem details', async () => {
    const owner = await signup(suite.app);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    for (const payload of [
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { from: '2024-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' },
      { to: future },
      { from: 'yesterday' },
      { period: 'P1D' },
    ]) {
      const response = await call('POST', '/v1/compliance/evidence/collections', owner.token, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await list(owner.token)).toEqual([]);
  });
});

describe('GET /v1/compliance/evidence', () => {
  it('lists newest first without the population, pages, and filters by check, criterion and time', async () => {
    const owner = await signup(suite.app);
    const first = await collect(owner.token);
    const second = await collect(owner.token);
    const all = await list(owner.token);
    expect(all).toHaveLength(CHECKS.length * 2);
    expect(all.map((record) => record.id)).toEqual(
      [...second.data, ...first.data]
        .map((record: Json) => record.id)
        .sort()
        .reverse(),
    );
    expect(all[0]).not.toHaveProperty('population');
    expect(all[0]).toHaveProperty('exceptionCount');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await call('GET', `/v1/compliance/evidence?limit=4${cursor ? `&cursor=${cursor}` : ''}`, owner.token);
      seen.push(...response.json().data.map((record: Json) => record.id));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((record) => record.id));

    const apiKeys = await list(owner.token, '&checkId=api-keys');
    const apiKeysAt = CHECKS.indexOf('api-keys');
    expect(apiKeys.map((record) => record.id)).toEqual([second.data[apiKeysAt].id, first.data[apiKeysAt].id]);
    const cc61 = await list(owner.token, '&criterion=CC6.1');
    expect(cc61.map((record) => record.checkId).sort()).toEqual([
      'access-snapshot',
      'access-snapshot',
      'sign-in-assurance',
      'sign-in-assurance',
    ]);
    expect((await list(owner.token, '&criterion=P5.1')).every((record) => record.criteria.includes('P5.1'))).toBe(true);
    expect(await list(owner.token, '&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z')).toEqual([]);
    expect(await list(owner.token, `&from=${encodeURIComponent(second.data[0].collectedAt)}`)).toHaveLength(CHECKS.length);
  });

  it('rejects bad filters with problem details', async () => {
    const owner = await signup(suite.app);
    for (const query of [
      'checkId=DROP TABLE',
      'criterion=cc6.1',
      'from=yesterday',
      'limit=0',
      'cursor=***',
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    ]) {
      const response = await call('GET', `/v1/compliance/evidence?${query}`, owner.token);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const badId = await call('GET', '/v1/compliance/evidence/not-a-uuid', owner.token);
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('access', () => {
  it('needs a credential', async () => {
    const owner = await signup(suite.app);
    const [record] = (await collect(owner.token)).data;
    for (const [method, url] of [
      ['GET', '/v1/compliance/evidence'],
      ['GET', `/v1/compliance/evidence/${record.id}`],
      ['POST', '/v1/compliance/evidence/collections'],
    ] as const) {
      expect((await call(method, url, undefined, method === 'POST' ? {} : undefined)).statusCode).toBe(401);
    }
  });

  it('needs compliance:read to read and compliance:manage to collect: auditors read, members and viewers do neither', async () => {
    const owner = await signup(suite.app);
    const [record] = (await collect(owner.token)).data;
    for (const role of ['member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      for (const [method, url] of [
        ['GET', '/v1/compliance/evidence'],
        ['GET', `/v1/compliance/evidence/${record.id}`],
        ['POST', '/v1/compliance/evidence/collections'],
      ] as const) {
        const response = await call(method, url, other.token, method === 'POST' ? {} : undefined);
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    const auditor = await addMember(suite.app, owner, 'auditor');
    expect((await call('GET', '/v1/compliance/evidence', auditor.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/compliance/evidence/${record.id}`, auditor.token)).statusCode).toBe(200);
    const denied = await call('POST', '/v1/compliance/evidence/collections', auditor.token, {});
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('shows one organization nothing of another', async () => {
    const first = await signup(suite.app);
    await addMember(suite.app, first, 'admin');
    const firstKey = await createApiKey(suite.app, first, ['contacts:read'], 'first org key');
    const firstRecords = (await collect(first.token)).data;

    const second = await signup(suite.app);
    const secondRecords = (await collect(second.token)).data;
    const fullOf = async (token: string, records: Json[], checkId: string) =>
      (await call('GET', `/v1/compliance/evidence/${records.find((record) => record.checkId === checkId)?.id}`, token)).json();

    const access = await fullOf(second.token, secondRecords, 'access-snapshot');
    expect(access.population.map((row: Json) => row.userId)).toEqual([second.userId]);
    const keys = await fullOf(second.token, secondRecords, 'api-keys');
    expect(keys.population).toEqual([]);
    expect(JSON.stringify(await fullOf(second.token, secondRecords, 'provisioning'))).not.toContain(first.userId);
    expect((await fullOf(first.token, firstRecords, 'api-keys')).population.map((row: Json) => row.id)).toEqual([firstKey.id]);

    for (const record of firstRecords) {
      const response = await call('GET', `/v1/compliance/evidence/${record.id}`, second.token);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'EVIDENCE_NOT_FOUND' });
    }
    const secondList = (await list(second.token)).map((record) => record.id);
    expect(secondList.some((id) => firstRecords.some((record: Json) => record.id === id))).toBe(false);
  });

  it('records the collection in the audit log as evidence.collect', async () => {
    const owner = await signup(suite.app);
    const response = await call('POST', '/v1/compliance/evidence/collections', owner.token, {});
    const events = (await call('GET', '/v1/audit-events?action=evidence.collect', owner.token)).json().data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', requestId: response.headers['x-request-id'] });
  });
});
