import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Jobs } from '../../../src/compliance';
import { bearer, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { useScratchDatabase } from '../../support/scratch-database';

let app: NestFastifyApplication;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions below
type Json = Record<string, any>;

// Its jobs visit every organization: a database of its own keeps them to this file's orgs.
useScratchDatabase('evidence_job');

beforeAll(async () => {
  ({ app } = await createTestApp());
});

afterAll(async () => {
  await app.close();
});

describe('the evidence job', () => {
  it('collects every organization’s evidence for the previous UTC day', async () => {
    const first = await signup(app);
    const second = await signup(app);
    await createApiKey(app, first, ['contacts:read']);
    const result = await app.get(Jobs).runNow('evidence');
    expect(result).toMatchObject({ status: 'succeeded', counts: { organizationsFailed: 0 } });
    if (result.status !== 'succeeded') return;
    expect(result.counts.organizations).toBeGreaterThanOrEqual(2);
    expect(result.counts.records).toBe(result.counts.organizations * 7);

    const today = new Date(new Date().toISOString().slice(0, 10));
    for (const user of [first, second]) {
      const listed = await app.inject({ method: 'GET', url: '/v1/compliance/evidence?limit=100', headers: bearer(user.token) });
      const records = listed.json().data.filter((record: Json) => record.jobRunId === result.runId);
      expect(records).toHaveLength(7);
      for (const record of records) {
        expect(record.periodEnd).toBe(today.toISOString());
        expect(record.periodStart).toBe(new Date(today.getTime() - 86_400_000).toISOString());
      }
      const keys = records.find((record: Json) => record.checkId === 'api-keys');
      expect(keys.populationCount).toBe(user === first ? 1 : 0);
    }
    const events = await app.inject({ method: 'GET', url: '/v1/audit-events?action=evidence.collect', headers: bearer(first.token) });
    expect(events.json().data[0]).toMatchObject({
      actor: { type: 'system', id: 'evidence' },
      target: { type: 'job-run', id: result.runId },
    });
  });
});
