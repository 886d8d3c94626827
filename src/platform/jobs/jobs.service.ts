import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '../../config';
import { Metrics } from '../../monitoring';
import { TenantDatabase } from '../../tenancy';
import { JobLease, JobLeaseLostError } from './job-lease';
import { JobRunsRepository } from './job-runs.repository';

/** What a run reports: counts by name (orgs visited, rows deleted, checkpoints signed, ...). */
export type JobCounts = Record<string, number>;

export interface JobDefinition {
  /** Stable name: the CLI argument, the `job` metric label, the `job_runs.job` value. */
  readonly name: string;
  readonly description: string;
  /** Cron expression (seconds allowed); absent for jobs that only run on demand. */
  readonly schedule?: string;
  run(context: JobRunContext): Promise<JobCounts>;
}

export interface JobRunContext {
  readonly runId: string;
  readonly trigger: 'schedule' | 'manual';
  /** The tick this run is for (the scheduled time, or the start of a manual run). */
  readonly scheduledFor: Date;
  /** Aborted once the run's lease is lost (job-lease.ts): the run must stop, another may have taken over. */
  readonly signal: AbortSignal;
  /** Throws once the lease is lost or may have expired; a run calls it before each unit of work (an org, a batch). */
  assertHeld(): void;
}

/** The lease check of the run in progress, for forEachOrganization (job bodies need not pass it). */
const currentRun = new AsyncLocalStorage<Pick<JobRunContext, 'assertHeld'>>();

export type JobRunResult =
  | { readonly status: 'succeeded'; readonly runId: string; readonly counts: JobCounts; readonly durationMs: number }
  | { readonly status: 'failed'; readonly runId: string; readonly error: string; readonly durationMs: number }
  /** The run lost its lease and stopped at its next check; recorded as `lost` in job_runs. */
  | { readonly status: 'lost'; readonly runId: string; readonly error: string; readonly durationMs: number }
  /** Another instance holds the job's lock, or already ran this tick. */
  | { readonly status: 'skipped'; readonly reason: 'locked' | 'already-ran' };

/**
 * Every scheduled job runs here, once per cluster per tick however many instances are up: a run
 * first takes the job's lease (job-lease.ts: a row with an expiry its heartbeat renews, so a
 * crashed or frozen instance loses it and a long healthy run keeps it), then claims the tick in
 * `job_runs` (unique per job and tick), so an instance whose timer fires a little late cannot
 * repeat a finished run. A tick that fires while the previous run still holds the lease is
 * skipped, counted in atrium_job_skipped_ticks_total (at most once per tick, no catch-up). A run
 * that loses its lease stops at its next check (before each org, each retention batch) and is
 * recorded as `lost`: it records success or failure only while its lease row is still its own. Each
 * run is recorded with its counts and outcome and exported as metrics, which the stalled-job
 * alerts watch.
 */
@Injectable()
export class Jobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Jobs.name);
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly instance = `${hostname()}:${process.pid}`;
  private readonly running = new Set<Promise<unknown>>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly metrics: Metrics,
    private readonly scheduler: SchedulerRegistry,
    private readonly runs: JobRunsRepository,
  ) {}

  register(definition: JobDefinition): void {
    if (this.definitions.has(definition.name)) throw new Error(`Job ${definition.name} is registered twice`);
    this.definitions.set(definition.name, definition);
    this.metrics.declareJob(definition.name);
  }

  list(): readonly JobDefinition[] {
    return [...this.definitions.values()];
  }

  onApplicationBootstrap(): void {
    void this.refreshLastSuccess();
    // Any instance reports the cluster's last success, not only the one that ran it.
    this.refreshTimer = setInterval(() => void this.refreshLastSuccess(), 60_000).unref();
    if (!this.config.compliance.jobsEnabled) return;
    for (const definition of this.definitions.values()) {
      if (!definition.schedule) continue;
      // The tick a firing is for, as the schedule has it rather than as the clock reads when the
      // timer fires: an instance whose event loop was busy past the second still names the same
      // tick as the others, so the claim in job_runs stops it repeating a run that already ended.
      let due: Date | undefined;
      const cron = CronJob.from({
        cronTime: definition.schedule,
        start: true,
        onTick: () => {
          const now = Date.now();
          // A timer firing a few ms early or late still names the whole second it was due at.
          const scheduledFor = due && due.getTime() <= now ? due : new Date(Math.round(now / 1000) * 1000);
          due = cron.nextDate().toJSDate();
          this.track(this.runScheduled(definition.name, scheduledFor)).catch((error: unknown) =>
            this.logger.error({ err: error, job: definition.name }, 'scheduled job could not start'),
          );
        },
      });
      due = cron.nextDate().toJSDate();
      this.scheduler.addCronJob(`atrium:${definition.name}`, cron);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refreshTimer);
    for (const name of this.scheduler.getCronJobs().keys()) {
      if (name.startsWith('atrium:')) this.scheduler.deleteCronJob(name);
    }
    // A run in progress finishes (its lock and records stay consistent) before the pool closes.
    await Promise.allSettled([...this.running]);
  }

  /** Every organization's id, in id order: what a job that acts per org walks. */
  organizationIds(): Promise<string[]> {
    return this.database.global((em) => this.runs.organizationIds(em));
  }

  /**
   * Runs `work` for every organization in turn. One org's failure is logged and counted, and the
   * others still run; then, if any failed, the run fails too, so the stalled-job alert sees it. A
   * run whose lease is lost stops before its next org.
   */
  async forEachOrganization(job: string, work: (orgId: string) => Promise<void>): Promise<number> {
    const orgIds = await this.organizationIds();
    const run = currentRun.getStore();
    let failed = 0;
    for (const orgId of orgIds) {
      run?.assertHeld();
      try {
        await work(orgId);
      } catch (error) {
        if (error instanceof JobLeaseLostError) throw error;
        failed += 1;
        this.logger.error({ err: error, job, orgId }, 'job failed for an organization');
      }
    }
    if (failed > 0) throw new Error(`${job} failed for ${failed} of ${orgIds.length} organizations`);
    return orgIds.length;
  }

  /** Runs a job now, outside its schedule: the CLI and tests use this. Still one run at a time. */
  runNow(name: string): Promise<JobRunResult> {
    return this.track(this.execute(this.definition(name), 'manual', null));
  }

  runScheduled(name: string, scheduledFor: Date): Promise<JobRunResult> {
    return this.execute(this.definition(name), 'schedule', scheduledFor);
  }

  private definition(name: string): JobDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`Unknown job ${name}; known: ${[...this.definitions.keys()].join(', ')}`);
    return definition;
  }

  private async execute(definition: JobDefinition, trigger: 'schedule' | 'manual', scheduledFor: Date | null): Promise<JobRunResult> {
    const runId = uuidv7();
    const attempt = await JobLease.acquire(
      this.database,
      this.runs,
      definition.name,
      runId,
      this.instance,
      scheduledFor,
      this.config.compliance.jobLeaseMs,
    );
    if (!attempt.acquired) {
      await this.countSkippedTick(definition.name, trigger, scheduledFor, attempt.heldFor);
      return this.skipped(definition.name, 'locked');
    }
    try {
      const claimed = await this.database.global((em) =>
        this.runs.claimTick(em, { id: runId, job: definition.name, trigger, scheduledFor, instance: this.instance }),
      );
      if (!claimed) return this.skipped(definition.name, 'already-ran');
      const { lease } = attempt;
      return await this.perform(definition, lease, {
        runId,
        trigger,
        scheduledFor: scheduledFor ?? new Date(),
        signal: lease.signal,
        assertHeld: () => lease.assertHeld(),
      });
    } finally {
      await attempt.lease
        .release()
        .catch((error: unknown) => this.logger.warn({ err: error, job: definition.name }, 'job lease not released; it expires'));
    }
  }

  private skipped(job: string, reason: 'locked' | 'already-ran'): JobRunResult {
    this.metrics.recordJobRun(job, 'skipped');
    this.logger.log({ job, reason }, 'job skipped');
    return { status: 'skipped', reason };
  }

  /**
   * A tick whose job is still running an earlier tick is not run (at most once per tick; no catch-up):
   * it is counted once across the cluster in atrium_job_skipped_ticks_total and logged. Another
   * instance running this same tick is not a skipped tick.
   */
  private async countSkippedTick(job: string, trigger: 'schedule' | 'manual', tick: Date | null, heldFor: Date | null): Promise<void> {
    if (trigger !== 'schedule' || !tick || heldFor?.getTime() === tick.getTime()) return;
    if (!(await JobLease.markSkipped(this.database, this.runs, job, tick).catch(() => false))) return;
    this.metrics.countSkippedTick(job);
    this.logger.warn({ job, tick: tick.toISOString() }, 'tick skipped: the previous run still holds the job lease');
  }

  private async perform(definition: JobDefinition, lease: JobLease, context: JobRunContext): Promise<JobRunResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let outcome: { counts: JobCounts } | { error: unknown };
    try {
      outcome = { counts: await currentRun.run(context, () => definition.run(context)) };
    } catch (error) {
      outcome = { error };
    }
    const durationMs = elapsed();
    const lost = lease.signal.aborted || ('error' in outcome && outcome.error instanceof JobLeaseLostError);
    const recorded =
      !lost &&
      ('counts' in outcome
        ? await this.finish(definition.name, context.runId, 'succeeded', outcome.counts, null)
        : await this.finish(definition.name, context.runId, 'failed', {}, messageOf(outcome.error)));
    if (!recorded) {
      const reason = lease.signal.aborted ? lease.signal.reason : 'error' in outcome ? outcome.error : undefined;
      const error =
        reason instanceof Error ? reason.message : `The ${definition.name} job's lease was taken over before its run was recorded`;
      await this.finishLost(context.runId, error);
      this.metrics.recordJobRun(definition.name, 'lost', durationMs / 1000);
      this.logger.error({ job: definition.name, runId: context.runId, durationMs, error }, 'job stopped: its lease was lost');
      return { status: 'lost', runId: context.runId, error, durationMs };
    }
    if ('counts' in outcome) {
      this.metrics.recordJobRun(definition.name, 'success', durationMs / 1000);
      this.metrics.setJobLastSuccess(definition.name, new Date());
      this.logger.log({ job: definition.name, runId: context.runId, counts: outcome.counts, durationMs }, 'job succeeded');
      return { status: 'succeeded', runId: context.runId, counts: outcome.counts, durationMs };
    }
    const message = messageOf(outcome.error);
    this.metrics.recordJobRun(definition.name, 'failure', durationMs / 1000);
    this.logger.error({ job: definition.name, runId: context.runId, err: outcome.error, durationMs }, 'job failed');
    return { status: 'failed', runId: context.runId, error: message, durationMs };
  }

  /** Records the run's end while its lease is its own (see JobRunsRepository.finish); false if not. */
  private finish(job: string, runId: string, outcome: 'succeeded' | 'failed', counts: JobCounts, error: string | null): Promise<boolean> {
    return this.database.global((em) => this.runs.finish(em, { id: runId, job }, outcome, counts, error));
  }

  private finishLost(runId: string, error: string): Promise<void> {
    return this.database.global((em) => this.runs.finishLost(em, runId, error));
  }

  private async refreshLastSuccess(): Promise<void> {
    try {
      const rows = await this.database.global((em) => this.runs.lastSuccesses(em));
      for (const row of rows) if (this.definitions.has(row.job)) this.metrics.setJobLastSuccess(row.job, row.at);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the last successful job runs');
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
