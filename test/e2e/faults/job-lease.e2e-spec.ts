import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { Jobs } from '../../../src/compliance';
import { ChildApp, startChildApp } from '../../support/child-app';
import { useScratchDatabase } from '../../support/scratch-database';
import { createTestApp } from '../../support/test-app';
import { metric } from '../caching/http-helpers';
import { eventually } from '../caching/private-redis';

/**
 * The job lock is a lease (job_leases) renewed by a heartbeat: a frozen holder (SIGSTOP) loses it
 * once it expires and another instance runs the job; a healthy run longer than the lease keeps it;
 * a tick that fires while the previous run still holds it is counted as skipped.
 */
useScratchDatabase('faults_jobs');

const LEASE_SECONDS = 1;
const env = { JOB_LEASE_SECONDS: String(LEASE_SECONDS) };

let app: NestFastifyApplication;
let jobs: Jobs;
let db: Client;
let child: ChildApp | null = null;
let quickRuns = 0;

beforeAll(async () => {
  ({ app } = await createTestApp({ env }));
  jobs = app.get(Jobs);
  jobs.register({
    name: 'fault-slow',
    description: 'the same job as the child runs, quick here',
    run: async () => ({ runs: ++quickRuns }),
  });
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterEach(async () => {
  if (child && child.process.exitCode === null) {
    child.process.kill('SIGCONT');
    child.process.kill('SIGKILL');
    await child.exited;
  }
  child = null;
});

afterAll(async () => {
  await app?.close();
  await db?.end();
});

/** Resolves when the child prints `line`. */
function printed(target: ChildApp, line: string): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    target.process.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(line)) resolve();
    });
  });
}

async function startHolder(workMs: number): Promise<ChildApp> {
  const started = startChildApp('test/e2e/faults/serve-job-holder.ts', {
    ...env,
    FAULT_JOB_MS: String(workMs),
    DATABASE_URL: process.env.DATABASE_URL as string,
  });
  const holder = await started;
  await printed(holder, 'job started');
  return holder;
}

describe('Job leases (e2e)', () => {
  it('replaces a frozen holder once its lease expires', async () => {
    child = await startHolder(60_000);
    expect((await jobs.runNow('fault-slow')).status).toBe('skipped');
    child.process.kill('SIGSTOP');
    const frozenAt = Date.now();
    const tookOver = await eventually(async () => (await jobs.runNow('fault-slow')).status === 'succeeded', 10_000);
    expect(tookOver).toBe(true);
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 500);
  }, 60_000);

  it('lets a healthy run longer than the lease keep it until it ends', async () => {
    const workMs = LEASE_SECONDS * 4_000;
    child = await startHolder(workMs);
    const finished = printed(child, 'job finished succeeded');
    let done = false;
    void finished.then(() => (done = true));
    const attempts: string[] = [];
    const started = Date.now();
    // Tries to take the job over for the whole run: always refused while it runs.
    while (!done && Date.now() - started < workMs + 10_000) {
      const result = await jobs.runNow('fault-slow');
      if (!done) attempts.push(result.status === 'skipped' ? result.reason : result.status);
      await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    expect(done).toBe(true);
    expect(attempts.length).toBeGreaterThan(LEASE_SECONDS * 5);
    expect(new Set(attempts)).toEqual(new Set(['locked']));
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from job_leases where job = 'fault-slow'");
    expect(rows[0].n).toBe(0); // released at the end of the run
  }, 60_000);

  it('counts a tick that fires while the previous run still holds the lease, once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jobs.register({ name: 'fault-gated', description: 'runs until released', run: async () => (await gate, { ran: 1 }) });
    const before = await metric(app, 'atrium_job_skipped_ticks_total', { job: 'fault-gated' });
    const first = jobs.runScheduled('fault-gated', new Date('2026-01-01T00:00:00Z'));
    await eventually(async () => (await db.query("select 1 from job_runs where job = 'fault-gated'")).rowCount === 1, 5_000);
    const second = await jobs.runScheduled('fault-gated', new Date('2026-01-01T00:00:01Z'));
    const again = await jobs.runScheduled('fault-gated', new Date('2026-01-01T00:00:01Z'));
    expect([second, again]).toEqual([
      { status: 'skipped', reason: 'locked' },
      { status: 'skipped', reason: 'locked' },
    ]);
    expect(await metric(app, 'atrium_job_skipped_ticks_total', { job: 'fault-gated' })).toBe(before + 1);
    release();
    expect((await first).status).toBe('succeeded');
  });
});
