import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { addMember, bearer, signup } from '../../support/factories';
import { call } from '../../support/client';
import { Sample, parseExposition, series, valueOf } from '../../support/exposition';
import { ProbeModule } from '../../support/probe.module';
import { createTestApp } from '../../support/test-app';
import type { ResolvedConfig } from '../../../src/config';

/**
 * GET /metrics over the real app: exposition format, the optional bearer token, route-template
 * labels, the bounded tenant label, pool/auth/readiness metrics and promtool's verdict.
 * One app (METRICS_MAX_TENANT_LABELS=50) serves the file; the token case starts its own at the end.
 */
const MAX_TENANT_LABELS = 50;
/** Five times the label cap: enough orgs that most share `other`. */
const TENANTS = 60;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let app: NestFastifyApplication;
let config: ResolvedConfig;

async function scrape(target = app, headers: Record<string, string> = {}): Promise<{ text: string; samples: Sample[] }> {
  const response = await target.inject({ method: 'GET', url: '/metrics', headers });
  expect(response.statusCode).toBe(200);
  return { text: response.body, samples: parseExposition(response.body) };
}

/** Scrapes after some traffic and pipes the text to `promtool check metrics`; fails clearly when promtool is missing. */
async function promtoolOnFreshScrape(): Promise<{ status: number | null; problems: string[] }> {
  const owner = await signup(app);
  await call(app, 'GET', '/v1/contacts', { token: owner.token });
  await call(app, 'GET', '/health/ready');
  const { text } = await scrape();
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool is not on PATH: install it (apt-get install -y prometheus) to run this test; CI provides it.');
  }
  const problems = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { status: result.status, problems };
}

beforeAll(async () => {
  // One user makes the organizations of the per-tenant label test.
  ({ app, config } = await createTestApp({
    imports: [ProbeModule],
    env: { METRICS_MAX_TENANT_LABELS: String(MAX_TENANT_LABELS), ORGANIZATIONS_PER_USER_LIMIT: String(TENANTS + 1) },
  }));
});

afterAll(async () => {
  await app.close();
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('answers Prometheus text exposition 0.0.4 without authentication', async () => {
    const response = await call(app, 'GET', '/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(response.body).toContain('# TYPE atrium_db_pool_connections gauge');
  });

  it('passes `promtool check metrics`: the exposition parses and no lint problem names an Atrium metric', async () => {
    const { status, problems } = await promtoolOnFreshScrape();
    // Exit 1 means promtool could not parse the exposition; 3 means lint problems only.
    expect([0, 3]).toContain(status);
    const ours = problems.filter((line) => /^(atrium_|http_)/.test(line));
    expect(ours).toEqual([]);
  });

  it('is accepted by `promtool check metrics` with exit code 0', async () => {
    const { status, problems } = await promtoolOnFreshScrape();
    expect({ status, problems }).toEqual({ status: 0, problems: [] });
  });
});

describe('http_request_duration_seconds labels', () => {
  it('carry route templates, never raw ids; unknown routes are unmatched; status classes 2xx/4xx/5xx', async () => {
    const owner = await signup(app);
    const member = await addMember(app, owner, 'member');
    const created = await call(app, 'POST', '/v1/contacts', { token: owner.token, body: { firstName: 'Ada', lastName: 'Lovelace' } });
    expect(created.statusCode).toBe(201);
    const contactId: string = created.json().id;

    expect((await call(app, 'GET', `/v1/contacts/${contactId}`, { token: owner.token })).statusCode).toBe(200);
    expect((await call(app, 'GET', `/v1/contacts/${randomUUID()}`, { token: owner.token })).statusCode).toBe(404);
    const patched = await call(app, 'PATCH', `/v1/members/${member.userId}`, { token: owner.token, body: { role: 'viewer' } });
    expect(patched.statusCode).toBe(200);
    expect((await call(app, 'GET', `/v1/no-such-thing/${randomUUID()}`)).statusCode).toBe(404);
    expect((await call(app, 'GET', '/test-probe/boom')).statusCode).toBe(500);

    const { samples } = await scrape();
    const counts = series(samples, 'http_request_duration_seconds_count');
    const count = (labels: Record<string, string>) => valueOf(counts, 'http_request_duration_seconds_count', labels);

    expect(count({ method: 'GET', route: '/v1/contacts/:id', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/v1/contacts/:id', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'PATCH', route: '/v1/members/:userId', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: 'unmatched', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/test-probe/boom', status_class: '5xx' })).toBeGreaterThanOrEqual(1);

    const httpSeries = samples.filter((s) => s.name.startsWith('http_request_duration_seconds'));
    expect(httpSeries.length).toBeGreaterThan(0);
    expect(httpSeries.filter((s) => UUID_ANYWHERE.test(JSON.stringify(s.labels)))).toEqual([]);
    expect(new Set(httpSeries.map((s) => s.labels.status_class))).toEqual(new Set(['2xx', '4xx', '5xx']));
    for (const route of new Set(httpSeries.map((s) => s.labels.route))) expect(route).toMatch(/^(unmatched|\/[a-z0-9/:.*-]*)$/i);
  });
});

describe('operational gauges and counters', () => {
  it('reports the database pool by state used/idle/size/waiting/max', async () => {
    const owner = await signup(app);
    await call(app, 'GET', '/v1/contacts', { token: owner.token });
    const { samples } = await scrape();
    const pool = series(samples, 'atrium_db_pool_connections');
    expect(pool.map((s) => s.labels.state).sort()).toEqual(['idle', 'max', 'size', 'used', 'waiting']);
    const state = (name: string) => valueOf(pool, 'atrium_db_pool_connections', { state: name });
    expect(state('max')).toBe(config.database.pool.max);
    expect(state('size')).toBe(state('used') + state('idle'));
    expect(state('size')).toBeGreaterThanOrEqual(1);
    expect(state('size')).toBeLessThanOrEqual(state('max'));
    expect(state('waiting')).toBe(0);
  });

  it('counts authentication failures by reason', async () => {
    const before = (await scrape()).samples;
    const unknown = await call(app, 'GET', '/v1/contacts', { token: 'x'.repeat(43) });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().code).toBe('INVALID_CREDENTIALS');
    expect((await call(app, 'GET', '/v1/contacts')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/contacts', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
    const after = (await scrape()).samples;

    const delta = (reason: string) =>
      valueOf(after, 'atrium_auth_failures_total', { reason }) - valueOf(before, 'atrium_auth_failures_total', { reason });
    expect({ unknown_token: delta('unknown_token'), missing: delta('missing'), malformed: delta('malformed') }).toEqual({
      unknown_token: 1,
      missing: 1,
      malformed: 1,
    });
  });

  it('sets atrium_ready to 1 and both dependencies up after a successful readiness check', async () => {
    expect((await call(app, 'GET', '/health/ready')).statusCode).toBe(200);
    const { samples } = await scrape();
    expect(valueOf(samples, 'atrium_ready')).toBe(1);
    expect(valueOf(samples, 'atrium_dependency_up', { dependency: 'database' })).toBe(1);
    expect(valueOf(samples, 'atrium_dependency_up', { dependency: 'cache' })).toBe(1);
  });
});

describe('per-tenant request counter', () => {
  it(`keeps at most ${MAX_TENANT_LABELS} org labels plus other across ${TENANTS} organizations, and loses no request`, async () => {
    const before = series((await scrape()).samples, 'atrium_tenant_requests_total');
    const user = await signup(app);
    let token = user.token;
    const orgIds = new Set<string>([user.orgId]);
    let counted = 0;
    for (let i = 0; i < TENANTS; i++) {
      const created = await call(app, 'POST', '/v1/organizations', { token, body: { name: `Tenant ${i}` } });
      expect(created.statusCode).toBe(201);
      const orgId: string = created.json().id;
      const switched = await call(app, 'POST', '/v1/auth/switch-organization', { token, body: { organizationId: orgId } });
      expect(switched.statusCode).toBe(200);
      token = switched.json().token;
      const current = await call(app, 'GET', '/v1/organization', { token });
      expect(current.statusCode).toBe(200);
      expect(current.json().id).toBe(orgId);
      orgIds.add(orgId);
      counted += 3;
    }
    expect(orgIds.size).toBe(TENANTS + 1);

    const after = series((await scrape()).samples, 'atrium_tenant_requests_total');
    const labels = after.map((s) => s.labels.org);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeLessThanOrEqual(MAX_TENANT_LABELS + 1);
    expect(labels).toContain('other');
    const total = (samples: Sample[]) => samples.reduce((sum, s) => sum + s.value, 0);
    expect(total(after) - total(before)).toBe(counted);
    expect(valueOf(after, 'atrium_tenant_requests_total', { org: 'other' })).toBeGreaterThanOrEqual(3 * (TENANTS - MAX_TENANT_LABELS));
  }, 180_000);
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = `metrics-${randomUUID()}`;
  let guarded: NestFastifyApplication;

  beforeAll(async () => {
    ({ app: guarded } = await createTestApp({ env: { METRICS_TOKEN: token } }));
  });

  afterAll(async () => {
    await guarded.close();
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong bearer token', bearer(`wrong-${randomUUID()}`)],
    ['the token without the Bearer scheme', { authorization: token }],
  ])('answers 401 problem+json with %s', async (_label, headers) => {
    const response = await guarded.inject({ method: 'GET', url: '/metrics', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', requestId: response.headers['x-request-id'] });
    expect(response.body).not.toContain('http_request_duration_seconds');
  });

  it('answers the exposition to `Authorization: Bearer <token>`', async () => {
    const { text } = await scrape(guarded, bearer(token));
    expect(text).toContain('# TYPE atrium_tenant_requests_total counter');
  });
});

describe('GET /metrics in production without METRICS_TOKEN', () => {
  let production: NestFastifyApplication;

  beforeAll(async () => {
    // METRICS_PUBLIC=false is what NODE_ENV=production implies when METRICS_PUBLIC is unset (config.spec.ts).
    ({ app: production } = await createTestApp({ env: { METRICS_PUBLIC: 'false' } }));
  });

  afterAll(async () => {
    await production.close();
  });

  it('lists no tenant to anyone: 404 problem+json', async () => {
    const response = await call(production, 'GET', '/metrics');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, code: 'METRICS_NOT_EXPOSED' });
    expect(response.body).not.toContain('atrium_tenant_requests_total');
  });
});
