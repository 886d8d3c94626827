import { Jobs } from '../../../src/platform/jobs';
import { signup } from '../../support/factories';
import { caller } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';

/** The monthly-reports job: one report per organization for last month, retries, no duplicates. */

// The job visits every organization: a database of its own keeps it to this file's three.
const suite = useTestAppWithOwnerDb({ scratchDatabase: 'reports_monthly' });
const call = caller(() => suite.app);

describe('the monthly-reports job', () => {
  function lastMonth(): { start: string; end: string } {
    const now = new Date();
    return {
      start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString(),
      end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    };
  }

  it('creates one report per organization for last month, retries a failed one, and creates no duplicate when run again', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    const retried = await signup(suite.app);
    const { rows: failed } = await suite.db.query(
      `insert into compliance_reports (id, org_id, kind, period_start, period_end, status, error)
       values (gen_random_uuid(), $1, 'monthly', $2, $3, 'failed', 'boom') returning id`,
      [retried.orgId, lastMonth().start, lastMonth().end],
    );
    const jobs = suite.app.get(Jobs);
    const run = await jobs.runNow('monthly-reports');
    expect(run).toMatchObject({ status: 'succeeded', counts: { reportsGenerated: expect.any(Number) } });
    const again = await jobs.runNow('monthly-reports');
    expect(again).toMatchObject({ status: 'succeeded', counts: { reportsGenerated: 0 } });

    for (const owner of [first, second]) {
      const reports = (await call('GET', '/v1/compliance/reports', owner.token)).json().data;
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ kind: 'monthly', status: 'ready', period: lastMonth(), requestedBy: null });
      expect((await call('GET', `/v1/compliance/reports/${reports[0].id}/download?format=manifest`, owner.token)).statusCode).toBe(200);
      const audit = await call('GET', `/v1/audit-events?action=report.generate&targetId=${reports[0].id}`, owner.token);
      expect(audit.json().data).toEqual([
        expect.objectContaining({ actor: { type: 'system', id: 'monthly-reports' }, outcome: 'success' }),
      ]);
    }
    const retriedReport = await call('GET', `/v1/compliance/reports/${failed[0].id}`, retried.token);
    expect(retriedReport.json()).toMatchObject({ status: 'ready', kind: 'monthly', files: expect.any(Array) });
    expect(retriedReport.json().error).toBeUndefined();
    const { rows } = await suite.db.query(
      `select org_id, count(*)::int as reports from compliance_reports where kind = 'monthly' and period_start = $1 group by org_id having count(*) > 1`,
      [lastMonth().start],
    );
    expect(rows).toEqual([]);
  });
});
