import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { Jobs, OrganizationFanOut, PerOrganizationJob } from '../../../src/platform/jobs';
import { TenantDatabase } from '../../../src/tenancy';
import { ChildApp, startChildApp } from '../../support/child-app';
import { signup } from '../../support/factories';
import { useScratchDatabase } from '../../support/scratch-database';
import { createTestApp } from '../../support/test-app';
import { pollUntil } from '../../support/waiting';
import { metric } from '../caching/http-helpers';

/**
 * Per-organization work of a job run goes through the durable queue (pg-boss) and is worked by
 * every instance: an item whose instance is killed is finished by another, an item redelivered
 * after its commit changes nothing, one whose retries are spent is dead-lettered and fails the
 * run, and two instances on the real evidence job do each org exactly once. Waits are on the
 * children's output and on the database, never on a fixed sleep.
 */
useScratchDatabase('job_fan_out');

const ORGS = 6;
/** Short timeouts so a killed instance's item is failed over within seconds. */
const QUEUE_ENV = {
  JOB_ITEM_TIMEOUT_SECONDS: '2',
  JOB_QUEUE_MAINTENANCE_SECONDS: '1',
  JOB_ITEM_RETRY_DELAY_SECONDS: '0',
  JOB_QUEUE_POLL_MS: '500',
};

let app: NestFastifyApplication;
let db: Client;
const children: ChildApp[] = [];

beforeAll(async () => {
  // This instance only signs up orgs and reads; it works no queue items (it does not know the test job).
  ({ app } = await createTestApp({ env: { JOB_QUEUE_CONCURRENCY: '0' } }));
  for (let i = 0; i < ORGS; i += 1) await signup(app);
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
}, 120_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await child.exited;
  }
});

afterAll(async () => {
  await db?.end();
  await app?.close();
});

/** Lines a child prints, and a promise for the first one matching a pattern. */
function watch(child: ChildApp): { lines: string[]; next: (pattern: RegExp) => Promise<RegExpExecArray> } {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];
  let partial = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        const match = waiter.pattern.exec(line);
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    }
  });
  const next = (pattern: RegExp): Promise<RegExpExecArray> => {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
  };
  return { lines, next };
}

/**
 * A child instance working one item at a time. It fetches one item at a time too unless `env` says
 * otherwise: the kill tests need each of two instances to hold an item, which a batch would not
 * leave (the first fetch would take them all).
 */
async function startInstance(role: string, env: Record<string, string> = {}): Promise<ChildApp> {
  const child = await startChildApp('test/e2e/compliance/serve-fan-out-instance.ts', {
    ...QUEUE_ENV,
    FANOUT_ROLE: role,
    JOB_QUEUE_CONCURRENCY: '1',
    JOB_QUEUE_BATCH_SIZE: '1',
    DATABASE_URL: process.env.DATABASE_URL as string,
    ...env,
  });
  children.push(child);
  return child;
}

interface ItemRow {
  org_id: string;
  state: string;
  attempts: number;
  instance: string;
}

async function itemsOf(runId: string): Promise<ItemRow[]> {
  return (await db.query<ItemRow>('select org_id, state, attempts, instance from job_run_items where run_id = $1', [runId])).rows;
}

/** Starts `stuck`, then a runner whose run starts at once; resolves with the org `stuck` took and the run's end. */
async function runWithStuckInstance(stuckRole: string, stuckLine: RegExp) {
  const stuck = await startInstance(stuckRole);
  const stuckOut = watch(stuck);
  const runner = await startInstance('runner');
  const runnerOut = watch(runner);
  const [, stuckOrg] = await stuckOut.next(stuckLine);
  // Both instances hold an item now: the run's record shows it while the run waits.
  const progress = await pollUntil(
    async () =>
      (
        await db.query<{ counts: Record<string, number> }>(
          `select counts from job_runs where job = 'fault-fan-out' and outcome = 'running'`,
        )
      ).rows[0]?.counts,
    (counts) => (counts?.active ?? 0) + (counts?.done ?? 0) >= 2,
    { timeoutMs: 20_000 },
  );
  stuck.process.kill('SIGKILL');
  await stuck.exited;
  runner.process.kill('SIGHUP');
  const [, status, runId] = await runnerOut.next(/^run finished (\w+) (\S+)/);
  return { stuck, runner, stuckOrg, status, runId, progress, runnerLines: runnerOut.lines };
}

describe('a fanned-out run over several instances', () => {
  it('finishes the item of an instance killed mid-item on another instance', async () => {
    const run = await runWithStuckInstance('stuck-before', /^item (\S+)/);
    expect(run.status).toBe('succeeded');
    const items = await itemsOf(run.runId);
    const orgCount = Number((await db.query('select count(*) from organizations')).rows[0].count);
    // While it ran, its job_runs record showed its progress.
    expect(run.progress).toMatchObject({ organizations: orgCount, dead: 0 });
    expect(run.progress.active + run.progress.done + run.progress.queued).toBe(orgCount);
    expect(items).toHaveLength(orgCount);
    expect(items.every((item) => item.state === 'done')).toBe(true);
    const taken = items.find((item) => item.org_id === run.stuckOrg);
    // Its first attempt died with the killed instance; the runner's retry finished it.
    expect(taken).toMatchObject({ attempts: 2, instance: expect.stringMatching(new RegExp(`:${run.runner.process.pid}$`)) });
    expect(run.runnerLines).toContain(`item ${run.stuckOrg}`);
    const { rows } = await db.query('select outcome, counts, items_total from job_runs where id = $1', [run.runId]);
    expect(rows[0]).toMatchObject({ outcome: 'succeeded', items_total: orgCount, counts: { organizations: orgCount, visited: orgCount } });
  }, 120_000);

  it('does not redo an item whose instance died after committing it', async () => {
    const run = await runWithStuckInstance('stuck-after', /^committed (\S+)/);
    expect(run.status).toBe('succeeded');
    const items = await itemsOf(run.runId);
    expect(items.every((item) => item.state === 'done')).toBe(true);
    // Redelivered to the runner once the dead instance's item timed out, and skipped: done once, by the dead instance.
    const taken = items.find((item) => item.org_id === run.stuckOrg);
    expect(taken).toMatchObject({ attempts: 1, instance: expect.stringMatching(new RegExp(`:${run.stuck.process.pid}$`)) });
    expect(run.runnerLines).not.toContain(`item ${run.stuckOrg}`);
    const { rows } = await db.query('select counts from job_runs where id = $1', [run.runId]);
    expect(rows[0].counts.visited).toBe(items.length);
  }, 120_000);
});

describe('an instance shut down with a batch of items fetched', () => {
  it('gives back the items it had not started: another instance finishes them at once, no attempt counted', async () => {
    // Item timeouts (set by the queueing instance, `app`: 600 s) and maintenance far beyond the
    // test's time: the run can only end in time if the items come back at the holder's shutdown.
    const env = { JOB_ITEM_TIMEOUT_SECONDS: '600', JOB_QUEUE_MAINTENANCE_SECONDS: '600', JOB_QUEUE_BATCH_SIZE: '50' };
    const holder = await startInstance('holder', env);
    const holderOut = watch(holder);
    // `app` works no items: it only runs the run (queues the items and waits for them).
    app.get(OrganizationFanOut).register({
      name: 'fault-fan-out',
      description: 'worked by the child instances',
      forOrganization: () => Promise.reject(new Error('not worked here')),
    });
    const running = app.get(Jobs).runNow('fault-fan-out');
    const [, heldOrg] = await holderOut.next(/^item (\S+)/);
    const orgCount = Number((await db.query('select count(*) from organizations')).rows[0].count);
    // The holder's one fetch took every item of the run: one started, the others waiting in its hands.
    const [run] = (await db.query<{ id: string }>(`select id from job_runs where job = 'fault-fan-out' and outcome = 'running'`)).rows;
    const queueItems = (): Promise<{ state: string; retry_count: number; org_id: string }[]> =>
      db
        .query<{ state: string; retry_count: number; org_id: string }>(
          `select state, retry_count, data->>'orgId' as org_id from pgboss.job where name = 'organization-work' and data->>'runId' = $1`,
          [run.id],
        )
        .then((result) => result.rows);
    expect((await queueItems()).map((item) => item.state)).toEqual(Array(orgCount).fill('active'));
    expect((await itemsOf(run.id)).filter((item) => item.state === 'active').map((item) => item.org_id)).toEqual([heldOrg]);

    const worker = await startInstance('worker', env);
    holder.process.kill('SIGTERM');
    await holderOut.next(/^closed$/);
    expect(await holder.exited).toBe(0);
    const result = await running;

    expect(result).toMatchObject({ status: 'succeeded', counts: { organizations: orgCount, visited: orgCount } });
    const items = await itemsOf(run.id);
    expect(items.every((item) => item.state === 'done' && item.attempts === 1)).toBe(true);
    // The started item finished on the holder before it closed; the rest on the worker.
    expect(items.find((item) => item.org_id === heldOrg)?.instance).toMatch(new RegExp(`:${holder.process.pid}$`));
    expect(items.filter((item) => item.instance.endsWith(`:${worker.process.pid}`))).toHaveLength(orgCount - 1);
    // pg-boss counted no retry for the items given back (the worker completes its items right after its last one).
    const completed = await pollUntil(queueItems, (rows) => rows.every((row) => row.state === 'completed'), { timeoutMs: 20_000 });
    expect(completed).toHaveLength(orgCount);
    expect(completed.every((row) => row.retry_count === 0)).toBe(true);
  }, 120_000);
});

describe('a fanned-out run in one instance', () => {
  let worker: NestFastifyApplication;
  let second: NestFastifyApplication;

  beforeAll(async () => {
    const env = { ...QUEUE_ENV, JOB_ITEM_RETRY_LIMIT: '1', JOB_QUEUE_CONCURRENCY: '2' };
    ({ app: worker } = await createTestApp({ env }));
    ({ app: second } = await createTestApp({ env }));
  });

  afterAll(async () => {
    await second?.close();
    await worker?.close();
  });

  it('dead-letters an organization whose retries are spent and fails the run naming it', async () => {
    const [failing] = (await db.query<{ id: string }>('select id from organizations order by id limit 1')).rows;
    const attempts = new Map<string, number>();
    const failingJob = (instance: NestFastifyApplication): PerOrganizationJob => ({
      name: 'fault-dead-letter',
      description: 'fails for one org every time',
      forOrganization: async (orgId, _run, finish) => {
        attempts.set(orgId, (attempts.get(orgId) ?? 0) + 1);
        if (orgId === failing.id) throw new Error('this organization always fails');
        await instance.get(TenantDatabase).forOrganization(orgId, (em) => finish(em, { visited: 1 }));
      },
    });
    // Both instances know the job, as every instance of one release does.
    worker.get(OrganizationFanOut).register(failingJob(worker));
    second.get(OrganizationFanOut).register(failingJob(second));
    const deadBefore = await metric(worker, 'atrium_job_items_total', { job: 'fault-dead-letter', outcome: 'dead' });

    const result = await worker.get(Jobs).runNow('fault-dead-letter');

    expect(result.status).toBe('failed');
    if (result.status !== 'failed') return;
    expect(result.error).toContain(`failed for 1 of`);
    expect(result.error).toContain(`${failing.id}: this organization always fails`);
    expect(attempts.get(failing.id)).toBe(2); // the first attempt and its one retry
    const items = await itemsOf(result.runId);
    expect(items.filter((item) => item.state === 'dead').map((item) => item.org_id)).toEqual([failing.id]);
    expect(items.filter((item) => item.state === 'done')).toHaveLength(items.length - 1);
    expect(await metric(worker, 'atrium_job_items_total', { job: 'fault-dead-letter', outcome: 'dead' })).toBe(deadBefore + 1);
  }, 120_000);

  it('collects each organization’s evidence exactly once with two instances working the queue', async () => {
    const result = await worker.get(Jobs).runNow('evidence');
    expect(result).toMatchObject({ status: 'succeeded', counts: { organizationsFailed: 0 } });
    if (result.status !== 'succeeded') return;
    const orgCount = Number((await db.query('select count(*) from organizations')).rows[0].count);
    expect(result.counts).toMatchObject({ organizations: orgCount, records: orgCount * 9 });
    const perOrg = await db.query<{ org_id: string; events: string; records: string }>(
      `select o.id as org_id,
              (select count(*) from audit_events e where e.org_id = o.id and e.action = 'evidence.collect' and e.target_id = $1::text) as events,
              (select count(*) from compliance_evidence r where r.org_id = o.id and r.job_run_id::text = $1) as records
       from organizations o`,
      [result.runId],
    );
    expect(perOrg.rows).toHaveLength(orgCount);
    for (const row of perOrg.rows) expect(row).toMatchObject({ events: '1', records: '9' });
  }, 120_000);
});
