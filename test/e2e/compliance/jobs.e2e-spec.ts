import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { Jobs } from '../../../src/platform/jobs';
import { ChildApp, startChildApp } from '../../support/child-app';
import { createTestApp } from '../../support/test-app';
import { useScratchDatabase } from '../../support/scratch-database';

/**
 * Scheduled jobs run once per cluster: several app instances against one database, as in
 * production, with the retention job as the example.
 */

let db: Client;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Its jobs visit every organization: a database of its own keeps them to this file's orgs.
useScratchDatabase('jobs');

beforeAll(async () => {
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db.end();
});

describe('two app instances started together', () => {
  let children: ChildApp[] = [];

  afterEach(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    children = [];
  });

  it('run the nightly job once per tick', async () => {
    const since = new Date();
    const env = { JOBS_ENABLED: 'true', JOB_RETENTION_CRON: '*/2 * * * * *' };
    children = await Promise.all([
      startChildApp('test/support/serve-probe-app.ts', env),
      startChildApp('test/support/serve-probe-app.ts', env),
    ]);
    await delay(5_000);
    for (const child of children) child.process.kill('SIGTERM');
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0]);

    const { rows } = await db.query<{ scheduled_for: Date; runs: number; outcomes: string[] }>(
      `select scheduled_for, count(*)::int as runs, array_agg(outcome) as outcomes from job_runs
       where job = 'retention' and trigger = 'schedule' and started_at >= $1 group by scheduled_for order by scheduled_for`,
      [since],
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) {
      expect(row.runs).toBe(1);
      expect(row.scheduled_for.getUTCSeconds() % 2).toBe(0);
      expect(row.scheduled_for.getUTCMilliseconds()).toBe(0);
    }
    // Shutdown waited for the runs in progress: none is left running.
    expect(rows.flatMap((row) => row.outcomes)).not.toContain('running');
  }, 90_000);
});

describe('Jobs.runNow on two instances at once', () => {
  let first: NestFastifyApplication;
  let second: NestFastifyApplication;

  beforeAll(async () => {
    ({ app: first } = await createTestApp());
    ({ app: second } = await createTestApp());
  });

  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('runs once: the other instance is skipped while the lock is held', async () => {
    const results = await Promise.all([first.get(Jobs).runNow('retention'), second.get(Jobs).runNow('retention')]);
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual(['skipped', 'succeeded']);
    expect(results.find((result) => result.status === 'skipped')).toEqual({ status: 'skipped', reason: 'locked' });
  });

  it('exports the time of the last success as a metric', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await first.get(Jobs).runNow('retention');
    expect(result.status).toBe('succeeded');
    const metrics = await first.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    const match = /^atrium_job_last_success_timestamp_seconds\{job="retention"\} ([\d.e+]+)$/m.exec(metrics.body);
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(before);
    expect(metrics.body).toMatch(/^atrium_job_runs_total\{job="retention",outcome="success"\} [1-9]/m);
  });
});
