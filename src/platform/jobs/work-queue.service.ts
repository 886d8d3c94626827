import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { JOB_QUEUE_SCHEMA } from '../../database';
import { PgBossJobTable } from '../library-internals';

export type QueuedJob<T> = PgBoss.JobWithMetadata<T>;
export type QueueItem<T extends object> = PgBoss.JobInsert<T>;

interface Consumer {
  readonly queue: string;
  readonly concurrency: number;
  /** Items one fetch takes for the consumer's loops. */
  readonly batchSize: number;
  readonly handle: (job: QueuedJob<object>) => Promise<void>;
  /** Fetched, not started yet, with when (this process's clock) each was fetched. */
  readonly held: { readonly job: QueuedJob<object>; readonly fetchedAt: number }[];
  /** Ids worked to the end whose `complete` is still to be sent (one statement for several). */
  readonly completed: string[];
  /** The fetch under way, which every loop of the consumer that finds `held` empty waits for. */
  fetching?: Promise<void>;
}

/** How long queueing waits for the queue to start before it fails. */
const READY_TIMEOUT_MS = 10_000;

/**
 * The durable queue on our PostgreSQL (pg-boss; its schema is installed with the migrations, see
 * database/job-queue.ts). It gives what a home-made lock does not: items survive the instance
 * that queued them, any instance works them, a failed item is retried with backoff and, once its
 * retries are spent, moved to a dead-letter queue; an item whose worker died is failed over once
 * its timeout passes (pg-boss's maintenance, which runs once per interval across the cluster).
 *
 * pg-boss polls rather than LISTENs, so it runs through PgBouncer in transaction mode. Each
 * worker here is our own loop over `fetch`/`complete`/`fail` (pg-boss's `work()` waits out its
 * polling interval after every batch, which would cap a worker at one item per interval).
 *
 * A consumer's loops share their fetches: one `fetch` takes up to `batchSize` items (its sort of
 * the queue, which every instance's fetch repeats over the same rows, is then paid once per batch)
 * and the loops take them one by one; items worked to the end are completed together, before the
 * next fetch or when the loops go idle. An item's timeout runs from its fetch, so a batch must be
 * worked well within JOB_ITEM_TIMEOUT_SECONDS. At shutdown, what was fetched but not started is
 * given back to the queue (PgBossJobTable.giveBack: no attempt counted, no retry delay), so a
 * deploy leaves nothing waiting for the timeout; an instance that dies leaves its batch to it.
 *
 * It starts in the background and retries until PostgreSQL answers: a database outage at boot
 * delays queued work, never the instance's start (readiness reports the database).
 */
@Injectable()
export class WorkQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkQueue.name);
  private readonly consumers: Consumer[] = [];
  private readonly loops = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly wakers = new Set<() => void>();
  private boss?: PgBoss;
  private started?: Promise<PgBoss>;
  private lastLoggedError = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly jobTable: PgBossJobTable,
  ) {}

  /**
   * Works `queue` with `concurrency` loops on this instance, from boot to shutdown, fetching up to
   * `batchSize` items at a time for them. Call before boot.
   */
  consume<T extends object>(
    queue: string,
    concurrency: number,
    handle: (job: QueuedJob<T>) => Promise<void>,
    { batchSize = 1 }: { readonly batchSize?: number } = {},
  ): void {
    this.consumers.push({ queue, concurrency, batchSize, handle: handle as Consumer['handle'], held: [], completed: [] });
  }

  /** Aborted once the instance shuts down: work waiting on the queue stops waiting. */
  get shutdownSignal(): AbortSignal {
    return this.stopping.signal;
  }

  onApplicationBootstrap(): void {
    this.started = this.start();
    // Failures are retried inside start(); only a shutdown ends it unresolved.
    this.started.catch(() => undefined);
    for (const consumer of this.consumers) {
      for (let i = 0; i < consumer.concurrency; i += 1) this.track(this.loop(consumer));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('The instance is shutting down'));
    for (const wake of this.wakers) wake();
    // Items in hand finish (or fail, to be retried elsewhere) before the pools close.
    await Promise.allSettled([...this.loops]);
    if (this.boss) await Promise.allSettled(this.consumers.map((consumer) => this.release(this.boss as PgBoss, consumer)));
    await this.boss?.stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
  }

  /**
   * Queues items in one statement; resolves once they are stored. Fails when the queue has not
   * started within READY_TIMEOUT_MS (the database away, or its pg-boss schema missing): the caller
   * fails instead of waiting, and the pick-up jobs find the work later.
   */
  async insert<T extends object>(items: readonly QueueItem<T>[]): Promise<void> {
    const boss = await this.readyWithin(READY_TIMEOUT_MS);
    for (let i = 0; i < items.length; i += 1000) await boss.insert(items.slice(i, i + 1000) as PgBoss.JobInsert[]);
    this.wake();
  }

  /** Wakes this instance's idle workers (after queueing, so the first items start at once). */
  wake(): void {
    for (const wake of this.wakers) wake();
  }

  private ready(): Promise<PgBoss> {
    if (!this.started) throw new Error('The work queue is not started yet');
    return this.started;
  }

  private async readyWithin(ms: number): Promise<PgBoss> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The work queue did not start within ${ms} ms`)), ms);
      timer.unref();
    });
    try {
      return await Promise.race([this.ready(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async start(): Promise<PgBoss> {
    const { jobQueue } = this.config.compliance;
    for (let attempt = 0; ; attempt += 1) {
      if (this.stopping.signal.aborted) throw this.stopping.signal.reason;
      const boss = new PgBoss({
        connectionString: this.config.database.url,
        schema: JOB_QUEUE_SCHEMA,
        application_name: 'atrium-queue',
        max: Math.max(2, jobQueue.concurrency + 2),
        migrate: false,
        schedule: false,
        supervise: true,
        maintenanceIntervalSeconds: jobQueue.maintenanceIntervalSeconds,
      });
      boss.on('error', (error: Error) => this.logError('pg-boss', error));
      try {
        await boss.start();
        if (this.stopping.signal.aborted) {
          await boss.stop({ graceful: false, close: true, wait: true });
          throw this.stopping.signal.reason;
        }
        this.boss = boss;
        return boss;
      } catch (error) {
        await boss.stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
        if (this.stopping.signal.aborted) throw this.stopping.signal.reason;
        this.logError('the work queue could not start; retrying', error);
        await this.idle(Math.min(500 * 2 ** attempt, 10_000));
      }
    }
  }

  private async loop(consumer: Consumer): Promise<void> {
    const boss = await this.ready().catch(() => undefined);
    if (!boss) return;
    while (!this.stopping.signal.aborted) {
      const job = await this.next(boss, consumer);
      if (!job) {
        await this.completeWorked(boss, consumer);
        await this.idle(this.config.compliance.jobQueue.pollIntervalMs);
        continue;
      }
      try {
        await consumer.handle(job);
      } catch (error) {
        // pg-boss retries it with backoff, or moves it to the dead letter once its retries are spent.
        await boss
          .fail(consumer.queue, job.id, { message: messageOf(error) })
          .catch((failError: unknown) => this.logError('could not record a failed item; it times out and is retried', failError));
        continue;
      }
      consumer.completed.push(job.id);
      if (consumer.completed.length >= consumer.batchSize) await this.completeWorked(boss, consumer);
    }
  }

  /**
   * The consumer's next item: one already fetched, else one of a new batch (a single fetch for all
   * of the consumer's loops); undefined when the queue has none or the instance is shutting down.
   */
  private async next(boss: PgBoss, consumer: Consumer): Promise<QueuedJob<object> | undefined> {
    if (this.stopping.signal.aborted) return undefined;
    const held = this.takeHeld(consumer);
    if (held) return held;
    // Loops that find nothing in hand wait for one fetch; if it brings fewer items than they are,
    // the queue is empty for now and the rest go idle.
    consumer.fetching ??= this.fetchBatch(boss, consumer).finally(() => {
      consumer.fetching = undefined;
    });
    await consumer.fetching;
    return this.stopping.signal.aborted ? undefined : this.takeHeld(consumer);
  }

  /**
   * The next held item whose timeout has not passed. One held past it (a batch worked too slowly
   * for JOB_ITEM_TIMEOUT_SECONDS) is dropped: pg-boss fails it over, as it does a dead instance's.
   */
  private takeHeld(consumer: Consumer): QueuedJob<object> | undefined {
    const now = Date.now();
    for (let held = consumer.held.shift(); held; held = consumer.held.shift()) {
      if (held.fetchedAt + Number(held.job.expireInSeconds) * 1000 > now) return held.job;
    }
    return undefined;
  }

  private async fetchBatch(boss: PgBoss, consumer: Consumer): Promise<void> {
    await this.completeWorked(boss, consumer);
    try {
      const jobs = await boss.fetch<object>(consumer.queue, { batchSize: consumer.batchSize, includeMetadata: true });
      const fetchedAt = Date.now();
      for (const job of jobs) consumer.held.push({ job, fetchedAt });
    } catch (error) {
      this.logError('could not fetch from the work queue', error);
    }
  }

  /** Completes the items worked to the end since the last call, in one statement. */
  private async completeWorked(boss: PgBoss, consumer: Consumer): Promise<void> {
    if (consumer.completed.length === 0) return;
    const ids = consumer.completed.splice(0);
    // Not completed, such an item times out and is delivered again; its work is found done and skipped.
    await boss
      .complete(consumer.queue, ids)
      .catch((error: unknown) => this.logError('could not complete worked items; they time out and are skipped', error));
  }

  /**
   * At shutdown: completes what was worked, and gives back what was fetched and not started, so
   * another instance takes it at once. An item held past its timeout has been failed over
   * already and is left alone; if the give-back fails, the items time out as a dead instance's do.
   */
  private async release(boss: PgBoss, consumer: Consumer): Promise<void> {
    await this.completeWorked(boss, consumer);
    const unexpired: string[] = [];
    for (let job = this.takeHeld(consumer); job; job = this.takeHeld(consumer)) unexpired.push(job.id);
    if (unexpired.length === 0) return;
    try {
      const given = await this.jobTable.giveBack(boss.getDb(), consumer.queue, unexpired);
      this.logger.log({ queue: consumer.queue, items: given }, 'gave back items fetched but not started');
    } catch (error) {
      this.logger.warn({ err: error, queue: consumer.queue, items: unexpired.length }, 'could not give back fetched items; they time out');
    }
  }

  /** Resolves after `ms`, or at once when woken or shutting down. */
  private idle(ms: number): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakers.add(done);
    });
  }

  private track(loop: Promise<void>): void {
    this.loops.add(loop);
    void loop
      .catch((error: unknown) => this.logger.error({ err: error }, 'a work queue loop stopped'))
      .finally(() => this.loops.delete(loop));
  }

  /** At most one warn line per 10 s: a database outage would otherwise log every poll of every loop. */
  private logError(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastLoggedError < 10_000) return;
    this.lastLoggedError = now;
    this.logger.warn({ err: error }, message);
  }
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
