import { hostname } from 'node:os';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { ORGANIZATION_WORK_DEAD_LETTER, ORGANIZATION_WORK_QUEUE } from '../../database';
import { Metrics } from '../../monitoring';
import { TenantDatabase } from '../../tenancy';
import { JobRunItemsRepository, RunProgress } from './job-run-items.repository';
import { JobLeaseLostError } from './job-lease';
import { JobCounts, JobRunContext, Jobs } from './jobs.service';
import { QueuedJob, WorkQueue, messageOf } from './work-queue.service';

/** One organization's part of a run, as it travels on the queue. */
export interface OrganizationItem {
  readonly job: string;
  readonly runId: string;
  readonly orgId: string;
  /** ISO time of the tick the run is for. */
  readonly scheduledFor: string;
}

/**
 * Ends an item inside the org's own transaction, with what it counted. Throws ItemAlreadyDone when
 * another attempt finished it first: the transaction then rolls back, so the org's work takes
 * effect once however often the item is delivered.
 */
export type FinishItem = (em: EntityManager, counts: JobCounts) => Promise<void>;

export class ItemAlreadyDone extends Error {
  override readonly name = 'ItemAlreadyDone';
}

export interface PerOrganizationJob {
  readonly name: string;
  readonly description: string;
  readonly schedule?: string;
  /**
   * Does one organization's part of a run and calls `finish` in the transaction that commits it.
   * Throwing fails the attempt: it is retried with backoff, then dead-lettered.
   */
  forOrganization(orgId: string, run: { readonly runId: string; readonly scheduledFor: Date }, finish: FinishItem): Promise<void>;
}

/** At most this many failed organizations are named in a failed run's error. */
const NAMED_FAILURES = 5;

/**
 * Per-organization work spread over every instance. A run (still one per cluster per tick, under
 * the job's lease: jobs.service.ts) writes one `job_run_items` row per organization and queues one item
 * each on the work queue; every instance works the queue with JOB_QUEUE_CONCURRENCY loops. The
 * run's instance waits, renewing its lease, until every item is done or dead, then records the
 * summed counts; progress (queued, active, done, dead) is in `job_run_items` meanwhile. An item
 * that fails is retried with exponential backoff (JOB_ITEM_RETRY_LIMIT, JOB_ITEM_RETRY_DELAY_SECONDS);
 * one whose instance died is failed over after JOB_ITEM_TIMEOUT_SECONDS; one whose retries are
 * spent goes to the dead letter, where it is counted (atrium_job_items_total{outcome="dead"}) and
 * its organization marked failed, which fails the run so the stalled-job alert sees it.
 */
@Injectable()
export class OrganizationFanOut implements OnModuleInit {
  private readonly logger = new Logger(OrganizationFanOut.name);
  private readonly definitions = new Map<string, PerOrganizationJob>();
  private readonly instance = `${hostname()}:${process.pid}`;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly database: TenantDatabase,
    private readonly jobs: Jobs,
    private readonly queue: WorkQueue,
    private readonly metrics: Metrics,
    private readonly items: JobRunItemsRepository,
  ) {}

  onModuleInit(): void {
    const { concurrency, batchSize } = this.config.compliance.jobQueue;
    if (concurrency === 0) return;
    // Items are short and many: fetched in batches (a run's 2,000 would otherwise cost 2,000 sorts of the queue).
    this.queue.consume<OrganizationItem>(ORGANIZATION_WORK_QUEUE, concurrency, (job) => this.work(job), { batchSize });
    this.queue.consume<OrganizationItem>(ORGANIZATION_WORK_DEAD_LETTER, 1, (job) => this.bury(job));
  }

  /** Registers a scheduled job whose runs fan out one item per organization. */
  register(definition: PerOrganizationJob): void {
    this.definitions.set(definition.name, definition);
    this.metrics.declareJobItems(definition.name);
    this.jobs.register({
      name: definition.name,
      description: definition.description,
      schedule: definition.schedule,
      run: (context) => this.run(definition, context),
    });
  }

  private async run(definition: PerOrganizationJob, context: JobRunContext): Promise<JobCounts> {
    const { jobQueue } = this.config.compliance;
    const orgIds = await this.jobs.organizationIds();
    await this.database.global((em) => this.items.create(em, context.runId, orgIds));
    await this.queue.insert<OrganizationItem>(
      orgIds.map((orgId) => ({
        name: ORGANIZATION_WORK_QUEUE,
        data: { job: definition.name, runId: context.runId, orgId, scheduledFor: context.scheduledFor.toISOString() },
        retryLimit: jobQueue.retryLimit,
        retryDelay: jobQueue.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: jobQueue.itemTimeoutSeconds,
        deadLetter: ORGANIZATION_WORK_DEAD_LETTER,
      })),
    );
    const progress = await this.untilSettled(context);
    const totals = await this.database.global((em) => this.items.totals(em, context.runId));
    if (progress.dead > 0) {
      const failed = await this.database.global((em) => this.items.dead(em, context.runId, NAMED_FAILURES));
      const named = failed.map((item) => `${item.orgId}: ${item.error ?? 'timed out'}`).join('; ');
      throw new Error(`${definition.name} failed for ${progress.dead} of ${progress.total} organizations (${named})`);
    }
    return { organizations: progress.total, organizationsFailed: 0, ...totals };
  }

  /**
   * Waits, checking the lease, until every item of the run is done or dead; meanwhile the run's
   * job_runs record shows its progress (organizations done, active, queued, dead).
   */
  private async untilSettled(context: JobRunContext): Promise<RunProgress> {
    const pollMs = Math.min(500, this.config.compliance.jobQueue.pollIntervalMs);
    let shown = '';
    for (;;) {
      context.assertHeld();
      // Recorded as lost, not failed: the items go on on the other instances.
      if (this.queue.shutdownSignal.aborted) {
        throw new JobLeaseLostError(`This instance shut down while run ${context.runId} waited for its items; they finish elsewhere`);
      }
      const progress = await this.database.global((em) => this.items.progress(em, context.runId));
      if (progress.done + progress.dead === progress.total) return progress;
      if (JSON.stringify(progress) !== shown) {
        shown = JSON.stringify(progress);
        await this.database.global((em) => this.items.recordProgress(em, context.runId, progress));
      }
      await new Promise<void>((resolve) => setTimeout(resolve, pollMs).unref());
    }
  }

  /** One delivery of an item, on whichever instance fetched it. */
  private async work(job: QueuedJob<OrganizationItem>): Promise<void> {
    const { job: name, runId, orgId, scheduledFor } = job.data;
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`No per-organization job named ${name} on this instance`);
    const started = await this.database.global((em) => this.items.start(em, runId, orgId, this.instance));
    if (!started) return; // done (or dead) already: a redelivery after the commit
    if (job.retryCount > 0) this.metrics.countJobItem(name, 'retried');
    const finish: FinishItem = async (em, counts) => {
      if (!(await this.items.finish(em, runId, orgId, counts))) throw new ItemAlreadyDone(`${name} ${runId} ${orgId}`);
    };
    try {
      await definition.forOrganization(orgId, { runId, scheduledFor: new Date(scheduledFor) }, finish);
      this.metrics.countJobItem(name, 'done');
    } catch (error) {
      if (error instanceof ItemAlreadyDone) return;
      this.logger.error({ err: error, job: name, runId, orgId, attempt: job.retryCount + 1 }, 'job item failed');
      await this.database
        .global((em) => this.items.recordError(em, runId, orgId, messageOf(error)))
        .catch((recordError: unknown) => this.logger.warn({ err: recordError, runId, orgId }, 'could not record the item error'));
      throw error;
    }
  }

  /** An item whose retries are spent (failed, or timed out on its last attempt): its org failed this run. */
  private async bury(job: QueuedJob<OrganizationItem>): Promise<void> {
    const { job: name, runId, orgId } = job.data;
    const buried = await this.database.global((em) => this.items.markDead(em, runId, orgId, null));
    if (!buried) return;
    this.metrics.countJobItem(name, 'dead');
    this.logger.error({ job: name, runId, orgId }, 'job item dead-lettered: its retries are spent');
  }
}
