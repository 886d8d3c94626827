import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { Jobs } from '../../../src/platform/jobs';
import { ChildApp, startChildApp } from '../../support/child-app';
import { useScratchDatabase } from '../../support/scratch-database';
import { createTestApp } from '../../support/test-app';
import { metric } from '../caching/http-helpers';
import { eventually } from '../caching/private-redis';

/**
 * The job lock is a lease (job_leases) renewed by a heartbeat: a frozen holder (SIGSTOP) loses it
 * once it expires and another instance runs the job; a healthy run longer than the lease keeps it;
 * a holder that thaws after being replaced stops at its next check and records its run as lost; a
 * tick that fires while the previous run still holds it is counted as skipped. Every wait is on
 * the job_leases row, job_runs or the holder's output, never a fixed sleep.
 */
useScratchDatabase('faults_jobs');

// Three seconds, not one: a holder on a busy machine (another suite beside this one) must renew in time.
const LEASE_SECONDS = 3;
const env = { JOB_LEASE_SECONDS: String(LEASE_SECONDS) };
/** Generous: two cores shared with other suites. */
const WAIT_MS = 20_000;

let app: NestFastifyApplication;
let jobs: Jobs;
let db: Client;
let child: ChildApp | null = null;
let quickRuns = 0;
/** This instance's run of fault-slow waits for it: the takeover test keeps its run in progress. */
let takeoverGate: Promise<void> = Promise.resolve();
let openTakeover: () => void = () => undefined;

beforeAll(async () => {
  ({ app } = await createTestApp({ env }));
  jobs = app.get(Jobs);
  jobs.register({
    name: 'fault-slow',
    description: 'the same job as the child runs, quick here',
    run: async () => {
      await takeoverGate;
      return { runs: ++quickRuns };
    },
  });
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterEach(async () => {
  // A failed assertion must not leave this instance's run waiting, or app.close() waits for it.
  openTakeover();
  takeoverGate = Promise.resolve();
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

interface LeaseRow {
  readonly run_id: string;
  readonly holder: string;
  readonly expires_at: Date;
  readonly expired: boolean;
}

async function leaseRow(): Promise<LeaseRow | undefined> {
  const { rows } = await db.query<LeaseRow>(
    "select run_id, holder, expires_at, expires_at < now() as expired from job_leases where job = 'fault-slow'",
  );
  return rows[0];
}

/** A child's stdout from the moment it is listening, and a wait for a line matching a pattern. */
function outputOf(target: ChildApp): { text: () => string; waitFor: (pattern: RegExp) => Promise<RegExpExecArray> } {
  let text = '';
  target.process.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    text: () => text,
    waitFor: async (pattern) => {
      let match: RegExpExecArray | null = null;
      const seen = await eventually(async () => (match = pattern.exec(text)) !== null, WAIT_MS);
      if (!seen || !match) throw new Error(`the holder never printed ${pattern}; it printed:\n${text}`);
      return match;
    },
  };
}

/** Starts a holder process and waits until the database shows it holding fault-slow's lease. */
async function startHolder(
  extra: Record<string, string>,
): Promise<{ holder: ChildApp; output: ReturnType<typeof outputOf>; runId: string }> {
  const holder = await startChildApp('test/e2e/faults/serve-job-holder.ts', {
    ...env,
    ...extra,
    DATABASE_URL: process.env.DATABASE_URL as string,
  });
  child = holder;
  const output = outputOf(holder);
  const held = await eventually(async () => (await leaseRow())?.holder.endsWith(`:${holder.process.pid}`) === true, WAIT_MS);
  expect(held).toBe(true);
  return { holder, output, runId: (await leaseRow())!.run_id };
}

describe('Job leases (e2e)', () => {
  it('replaces a frozen holder once its lease expires', async () => {
    const { holder } = await startHolder({ FAULT_JOB_MS: '60000' });
    expect(await jobs.runNow('fault-slow')).toEqual({ status: 'skipped', reason: 'locked' });
    holder.process.kill('SIGSTOP');
    // Frozen, it cannot renew: the row expires and the next attempt takes the lease over.
    expect(await eventually(async () => (await leaseRow())?.expired === true, WAIT_MS)).toBe(true);
    expect((await jobs.runNow('fault-slow')).status).toBe('succeeded');
  }, 120_000);

  it('lets a healthy run longer than the lease keep it until it ends', async () => {
    const { output, runId } = await startHolder({ FAULT_JOB_MS: String(LEASE_SECONDS * 4_000) });
    const firstExpiry = (await leaseRow())!.expires_at.getTime();
    let finished = false;
    void output.waitFor(/job finished (\S+)/).then(() => (finished = true));
    let lastExpiry = firstExpiry;
    const attempts: string[] = [];
    // After each heartbeat (the row's expiry moves on), tries to take the job over: always refused.
    while (!finished) {
      let row: LeaseRow | undefined;
      const moved = await eventually(
        async () => finished || ((row = await leaseRow()) !== undefined && row.expires_at.getTime() > lastExpiry),
        WAIT_MS,
      );
      expect(moved).toBe(true);
      if (finished || !row) break;
      expect(row.run_id).toBe(runId);
      lastExpiry = row.expires_at.getTime();
      const result = await jobs.runNow('fault-slow');
      // An attempt that ran is one that came after the holder released the lease, just before its
      // "job finished" line arrived: had it taken the lease mid-run, the holder would finish `lost`.
      if (result.status !== 'skipped') break;
      if (!finished) attempts.push(result.reason);
    }
    expect((await output.waitFor(/job finished (\S+)/))[1]).toBe('succeeded');
    // Renewed well past the lease it started with, and never taken over meanwhile.
    expect(lastExpiry - firstExpiry).toBeGreaterThanOrEqual(LEASE_SECONDS * 2_000);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(attempts)).toEqual(new Set(['locked']));
    expect(await leaseRow()).toBeUndefined(); // released at the end of the run
  }, 120_000);

  it('stops a holder that thaws after being replaced at its next check, records its run as lost and visits no further org', async () => {
    await db.query(
      "insert into organizations (id, name, slug) select gen_random_uuid(), 'Lease org ' || n, 'lease-org-' || n from generate_series(1, 3) n",
    );
    const { rows: orgs } = await db.query('select id from organizations');
    expect(orgs.length).toBeGreaterThanOrEqual(3);
    const { holder, output, runId } = await startHolder({ FAULT_JOB_ORG_MS: String(LEASE_SECONDS * 2_000) });
    await output.waitFor(/org \S+\n/);
    holder.process.kill('SIGSTOP');
    expect(await eventually(async () => (await leaseRow())?.expired === true, WAIT_MS)).toBe(true);

    // This instance takes the lease over and keeps its run going while the holder thaws.
    takeoverGate = new Promise<void>((resolve) => (openTakeover = resolve));
    const takeover = jobs.runNow('fault-slow');
    expect(await eventually(async () => (await leaseRow())?.holder.endsWith(`:${process.pid}`) === true, WAIT_MS)).toBe(true);
    holder.process.kill('SIGCONT');

    const [, status, finishedRunId] = await output.waitFor(/job finished (\S+) (\S+)/);
    expect([status, finishedRunId]).toEqual(['lost', runId]);
    expect(output.text().match(/^org /gm)).toHaveLength(1);
    const { rows } = await db.query<{ outcome: string; error: string; finished: boolean }>(
      'select outcome, error, finished_at is not null as finished from job_runs where id = $1',
      [runId],
    );
    expect(rows).toEqual([{ outcome: 'lost', error: expect.stringContaining('lost its lease'), finished: true }]);
    // The replacement's lease is untouched by the holder that lost it.
    expect((await leaseRow())?.holder.endsWith(`:${process.pid}`)).toBe(true);

    openTakeover();
    expect((await takeover).status).toBe('succeeded');
    await db.query("delete from organizations where slug like 'lease-org-%'");
  }, 120_000);

  it('counts a tick that fires while the previous run still holds the lease, once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jobs.register({ name: 'fault-gated', description: 'runs until released', run: async () => (await gate, { ran: 1 }) });
    const before = await metric(app, 'atrium_job_skipped_ticks_total', { job: 'fault-gated' });
    const first = jobs.runScheduled('fault-gated', new Date('2026-01-01T00:00:00Z'));
    await eventually(async () => (await db.query("select 1 from job_runs where job = 'fault-gated'")).rowCount === 1, WAIT_MS);
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
