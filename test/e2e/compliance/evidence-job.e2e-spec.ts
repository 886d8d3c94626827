import { Jobs } from '../../../src/platform/jobs';
import { createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { call } from '../../support/client';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions below
type Json = Record<string, any>;

// Its jobs visit every organization: a database of its own keeps them to this file's orgs.
const suite = useTestApp({ scratchDatabase: 'evidence_job' });

describe('the evidence job', () => {
  it('collects every organization’s evidence for the previous UTC day', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    await createApiKey(suite.app, first, ['contacts:read']);
    const result = await suite.app.get(Jobs).runNow('evidence');
    expect(result).toMatchObject({ status: 'succeeded', counts: { organizationsFailed: 0 } });
    if (result.status !== 'succeeded') return;
    expect(result.counts.organizations).toBeGreaterThanOrEqual(2);
    expect(result.counts.records).toBe(result.counts.organizations * 9);

    const today = new Date(new Date().toISOString().slice(0, 10));
    for (const user of [first, second]) {
      const listed = await call(suite.app, 'GET', '/v1/compliance/evidence?limit=100', { token: user.token });
      const records = listed.json().data.filter((record: Json) => record.jobRunId === result.runId);
      expect(records).toHaveLength(9);
      for (const record of records) {
        expect(record.periodEnd).toBe(today.toISOString());
        expect(record.periodStart).toBe(new Date(today.getTime() - 86_400_000).toISOString());
      }
      const keys = records.find((record: Json) => record.checkId === 'api-keys');
      expect(keys.populationCount).toBe(user === first ? 1 : 0);
    }
    const events = await call(suite.app, 'GET', '/v1/audit-events?action=evidence.collect', { token: first.token });
    expect(events.json().data[0]).toMatchObject({
      actor: { type: 'system', id: 'evidence' },
      target: { type: 'job-run', id: result.runId },
    });
  });
});
