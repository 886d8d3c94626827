import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { caller, expectProblem } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';

/** Who may list, create and download reports; validation; isolation; and the monthly job. */

const PERIOD = { from: '2026-08-01T00:00:00Z', to: '2026-09-01T00:00:00Z' };

async function createReport(user: Signed, period: object = PERIOD): Promise<string> {
  const response = await call('POST', '/v1/compliance/reports', user.token, period);
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

function download(id: string, token: string | undefined, format = 'pdf') {
  return call('GET', `/v1/compliance/reports/${id}/download?format=${format}`, token);
}

// A database of its own: its reports of many orgs stay out of the shared one (the monthly job has a file of its own).
const suite = useTestAppWithOwnerDb({ scratchDatabase: 'reports_access' });
const call = caller(() => suite.app);

describe('permissions', () => {
  it('needs a credential on every route', async () => {
    const owner = await signup(suite.app);
    const id = await createReport(owner);
    for (const [method, url] of [
      ['GET', '/v1/compliance/reports'],
      ['POST', '/v1/compliance/reports'],
      ['GET', `/v1/compliance/reports/${id}`],
      ['GET', `/v1/compliance/reports/${id}/download?format=pdf`],
    ] as const) {
      expectProblem(await call(method, url, undefined, method === 'POST' ? PERIOD : undefined), 401, 'UNAUTHENTICATED');
    }
  });

  it('lets owners, admins and auditors read and download; only owners and admins create', async () => {
    const owner = await signup(suite.app);
    const id = await createReport(owner);
    const admin = await addMember(suite.app, owner, 'admin');
    const auditor = await addMember(suite.app, owner, 'auditor');
    for (const user of [owner, admin, auditor]) {
      expect((await call('GET', '/v1/compliance/reports', user.token)).statusCode).toBe(200);
      expect((await call('GET', `/v1/compliance/reports/${id}`, user.token)).statusCode).toBe(200);
      expect((await download(id, user.token)).statusCode).toBe(200);
    }
    expect((await call('POST', '/v1/compliance/reports', admin.token, PERIOD)).statusCode).toBe(201);
    expectProblem(await call('POST', '/v1/compliance/reports', auditor.token, PERIOD), 403, 'FORBIDDEN');
  });

  it('forbids members and viewers everything', async () => {
    const owner = await signup(suite.app);
    const id = await createReport(owner);
    for (const role of ['member', 'viewer'] as const) {
      const user = await addMember(suite.app, owner, role);
      expectProblem(await call('GET', '/v1/compliance/reports', user.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', `/v1/compliance/reports/${id}`, user.token), 403, 'FORBIDDEN');
      expectProblem(await download(id, user.token), 403, 'FORBIDDEN');
      expectProblem(await download(id, user.token, 'signature'), 403, 'FORBIDDEN');
      expectProblem(await call('POST', '/v1/compliance/reports', user.token, PERIOD), 403, 'FORBIDDEN');
    }
  });

  it('honours API key scopes', async () => {
    const owner = await signup(suite.app);
    const id = await createReport(owner);
    const reader = await createApiKey(suite.app, owner, ['compliance:read']);
    expect((await download(id, reader.secret, 'json')).statusCode).toBe(200);
    expectProblem(await call('POST', '/v1/compliance/reports', reader.secret, PERIOD), 403, 'FORBIDDEN');
    const manager = await createApiKey(suite.app, owner, ['compliance:manage']);
    const created = await call('POST', '/v1/compliance/reports', manager.secret, PERIOD);
    expect(created.statusCode).toBe(201);
    expect(created.json().requestedBy).toBe(manager.id);
  });
});

describe('isolation', () => {
  it('shows one organization nothing of another’s reports', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    const id = await createReport(first);
    expectProblem(await call('GET', `/v1/compliance/reports/${id}`, second.token), 404, 'REPORT_NOT_FOUND');
    for (const format of ['pdf', 'manifest', 'signature']) expectProblem(await download(id, second.token, format), 404, 'REPORT_NOT_FOUND');
    expect((await call('GET', '/v1/compliance/reports', second.token)).json()).toEqual({ data: [], nextCursor: null });
    expectProblem(await call('GET', '/v1/compliance/reports/01930000-0000-7000-8000-000000000000', first.token), 404, 'REPORT_NOT_FOUND');
  });
});

describe('validation', () => {
  it('rejects bad periods and bodies', async () => {
    const owner = await signup(suite.app);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const bodies: [object, string][] = [
      [{ from: PERIOD.to, to: PERIOD.from }, 'from'],
      [{ from: PERIOD.from, to: PERIOD.from }, 'from'],
      [{ from: PERIOD.from, to: future }, 'to'],
      [{ from: '2024-01-01T00:00:00Z', to: '2025-01-02T00:00:01Z' }, 'to'],
      [{ from: PERIOD.from }, 'to'],
      [{ from: 'last month', to: PERIOD.to }, 'from'],
      [{ ...PERIOD, kind: 'monthly' }, 'kind'],
    ];
    for (const [body, field] of bodies) {
      const response = await call('POST', '/v1/compliance/reports', owner.token, body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect(
      (await call('POST', '/v1/compliance/reports', owner.token, { from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).statusCode,
    ).toBe(201);
  });

  it('rejects bad ids, formats and cursors', async () => {
    const owner = await signup(suite.app);
    const id = await createReport(owner);
    expectProblem(await call('GET', '/v1/compliance/reports/not-a-uuid', owner.token), 400, 'VALIDATION_FAILED');
    expectProblem(await download('not-a-uuid', owner.token), 400, 'VALIDATION_FAILED');
    expectProblem(await download(id, owner.token, 'docx'), 400, 'VALIDATION_FAILED');
    expectProblem(await call('GET', `/v1/compliance/reports/${id}/download`, owner.token), 400, 'VALIDATION_FAILED');
    expectProblem(await call('GET', '/v1/compliance/reports?cursor=***', owner.token), 400, 'VALIDATION_FAILED');
  });

  it('answers 409 for a report that is not ready', async () => {
    const owner = await signup(suite.app);
    const { rows } = await suite.db.query(
      `insert into compliance_reports (id, org_id, kind, period_start, period_end, status) values (gen_random_uuid(), $1, 'on_demand', $2, $3, 'failed')
       returning id`,
      [owner.orgId, PERIOD.from, PERIOD.to],
    );
    expectProblem(await download(rows[0].id, owner.token), 409, 'REPORT_NOT_READY');
    const shown = await call('GET', `/v1/compliance/reports/${rows[0].id}`, owner.token);
    expect(shown.json()).toMatchObject({ status: 'failed', files: [], signature: null, summary: null });
  });
});

describe('GET /v1/compliance/reports', () => {
  it('pages newest first without gaps or duplicates', async () => {
    const owner = await signup(suite.app);
    const ids: string[] = [];
    for (let month = 1; month <= 5; month += 1) {
      ids.push(await createReport(owner, { from: `2026-0${month}-01T00:00:00Z`, to: `2026-0${month + 1}-01T00:00:00Z` }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await call('GET', `/v1/compliance/reports?limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.token);
      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toBeDefined();
      seen.push(...response.json().data.map((report: { id: string }) => report.id));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const [newest] = (await call('GET', '/v1/compliance/reports?limit=1', owner.token)).json().data;
    expect(newest).toMatchObject({ status: 'ready', files: expect.any(Array), signature: expect.any(Object) });
    expect(newest.files).toHaveLength(4);
  });
});
