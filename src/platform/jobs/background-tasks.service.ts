import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { BACKGROUND_TASKS_DEAD_LETTER, BACKGROUND_TASKS_QUEUE } from '../../database';
import { Metrics } from '../../monitoring';
import { QueuedJob, WorkQueue } from './work-queue.service';

/** What a task carries on the queue: its kind, the org and the id of the row it works on. */
export interface BackgroundTask {
  readonly kind: string;
  readonly orgId: string;
  readonly id: string;
}

/**
 * One-off work a request starts once its transaction has committed (a privacy request, a closure
 * export, a full audit verification), on the durable queue rather than in the process that took
 * the request: any instance works it, a failure is retried with backoff (JOB_ITEM_RETRY_LIMIT,
 * JOB_ITEM_RETRY_DELAY_SECONDS), a task whose instance died is failed over after
 * JOB_ITEM_TIMEOUT_SECONDS, and one whose retries are spent is logged and counted in
 * atrium_job_items_total{outcome="dead"} under its kind. The queue keeps one task per row queued
 * and one active. Handlers claim their row before working on it, so a task that runs twice (a
 * redelivery, the pick-up job finding the same row) does the work once; the pick-up jobs remain
 * for a start that was lost between the commit and the queue.
 */
@Injectable()
export class BackgroundTasks implements OnModuleInit {
  private readonly logger = new Logger(BackgroundTasks.name);
  private readonly handlers = new Map<string, (orgId: string, id: string) => Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly queue: WorkQueue,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const { concurrency } = this.config.compliance.jobQueue;
    if (concurrency === 0) return;
    // One at a time (no batch): tasks are few and long, so a fetched task would wait behind a long
    // one while another instance idles; and under `stately`, one given back at shutdown could meet
    // the task queued for its row since, which pg-boss allows only once per key.
    this.queue.consume<BackgroundTask>(BACKGROUND_TASKS_QUEUE, concurrency, (job) => this.work(job));
    this.queue.consume<BackgroundTask>(BACKGROUND_TASKS_DEAD_LETTER, 1, async (job) => this.bury(job));
  }

  /** Names the handler of a kind of task; every instance registers the same ones at boot. */
  register(kind: string, handle: (orgId: string, id: string) => Promise<void>): void {
    if (this.handlers.has(kind)) throw new Error(`Background task ${kind} is registered twice`);
    this.handlers.set(kind, handle);
    this.metrics.declareJobItems(kind);
  }

  /** Queues the task; resolves once it is stored. Call after the row it works on has committed. */
  async start(kind: string, orgId: string, id: string): Promise<void> {
    const { jobQueue } = this.config.compliance;
    await this.queue.insert<BackgroundTask>([
      {
        name: BACKGROUND_TASKS_QUEUE,
        data: { kind, orgId, id },
        singletonKey: `${kind}:${id}`,
        retryLimit: jobQueue.retryLimit,
        retryDelay: jobQueue.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: jobQueue.itemTimeoutSeconds,
        deadLetter: BACKGROUND_TASKS_DEAD_LETTER,
      },
    ]);
  }

  private async work(job: QueuedJob<BackgroundTask>): Promise<void> {
    const { kind, orgId, id } = job.data;
    const handle = this.handlers.get(kind);
    if (!handle) throw new Error(`No background task named ${kind} on this instance`);
    if (job.retryCount > 0) this.metrics.countJobItem(kind, 'retried');
    try {
      await handle(orgId, id);
      this.metrics.countJobItem(kind, 'done');
    } catch (error) {
      this.logger.error({ err: error, task: kind, orgId, id, attempt: job.retryCount + 1 }, 'background task failed');
      throw error;
    }
  }

  private bury(job: QueuedJob<BackgroundTask>): void {
    const { kind, orgId, id } = job.data;
    this.metrics.countJobItem(kind, 'dead');
    this.logger.error({ task: kind, orgId, id }, 'background task dead-lettered: its retries are spent; the pick-up job tries again later');
  }
}
