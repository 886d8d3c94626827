import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { BackgroundTasks, JobCounts, Jobs } from '../../platform/jobs';
import { PRIVACY_REQUESTS_JOB, PrivacyRequestRow } from './privacy-request-row';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { SubjectAccessExport } from './subject-access-export.service';
import { SubjectErasure } from './subject-erasure.service';

/**
 * A claimed request not finished within this long is taken to belong to an instance that died,
 * and is claimed again. Handling one takes seconds; both kinds can safely run again.
 */
const LEASE_MINUTES = 15;

/** The background task (platform/jobs/background-tasks.service.ts) that handles one request. */
export const PRIVACY_REQUEST_TASK = 'privacy-request';

/**
 * Handles privacy requests in the background. A new request is queued on the durable work queue
 * right after it commits, and any instance handles it, with retries. The `privacy-requests` job
 * picks up, across organizations, any that were never queued (the instance crashed between the
 * commit and the queue) and any whose claim outlived its lease. A claim is one UPDATE of the row
 * from `pending` (or an expired `in_progress`) to `in_progress`, so two handlers never handle one
 * request at the same time; a handler that fails gives its claim back for the retry.
 */
@Injectable()
export class PrivacyRequestProcessor implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PrivacyRequestProcessor.name);
  private readonly starting = new Set<Promise<unknown>>();

  constructor(
    private readonly jobs: Jobs,
    private readonly tasks: BackgroundTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly requests: PrivacyRequestsRepository,
    private readonly accessExport: SubjectAccessExport,
    private readonly erasure: SubjectErasure,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: PRIVACY_REQUESTS_JOB,
      description: 'Handles privacy requests whose start was lost, and resumes those whose handler died',
      schedule: this.config.compliance.schedules.privacyRequests,
      run: () => this.processWaiting(),
    });
    this.tasks.register(PRIVACY_REQUEST_TASK, (orgId, id) => this.processById(orgId, id));
  }

  /** Queueing in flight finishes before connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.starting]);
  }

  /** Queues a just-committed request without holding up the response that created it. */
  startSoon(orgId: string, id: string): void {
    const queued = this.tasks
      .start(PRIVACY_REQUEST_TASK, orgId, id)
      .catch((error: unknown) =>
        this.logger.error(
          { err: error, privacyRequestId: id },
          'privacy request could not be queued; the privacy-requests job picks it up',
        ),
      );
    this.starting.add(queued);
    void queued.finally(() => this.starting.delete(queued));
  }

  /**
   * One pass over the organizations with an open request (not every organization: a pass then
   * costs what waits, however many orgs there are): claims and handles each claimable one in turn.
   */
  async processWaiting(): Promise<JobCounts> {
    const organizations = await this.database.global((em) => this.requests.organizationsWithOpenRequests(em));
    const counts = { organizations: organizations.length, handled: 0, failed: 0 };
    for (const orgId of organizations) {
      for (let row = await this.claimNext(orgId); row; row = await this.claimNext(orgId)) {
        try {
          await this.handle(row);
          counts.handled += 1;
        } catch (error) {
          // Left in progress: the lease hands it to a later run.
          counts.failed += 1;
          this.logger.error({ err: error, privacyRequestId: row.id }, 'privacy request could not be handled');
        }
      }
    }
    return counts;
  }

  /** The queued task: claims the request and handles it; a failure gives the claim back and is retried. */
  private async processById(orgId: string, id: string): Promise<void> {
    const row = await this.database.forOrganization(orgId, (em) => this.requests.claim(em, orgId, id, LEASE_MINUTES));
    if (!row) return; // handled already, or being handled
    try {
      await this.handle(row);
    } catch (error) {
      const claimedAt = row.started_at;
      if (claimedAt) await this.database.forOrganization(orgId, (em) => this.requests.release(em, orgId, id, claimedAt));
      throw error;
    }
  }

  private claimNext(orgId: string): Promise<PrivacyRequestRow | undefined> {
    return this.database.forOrganization(orgId, (em) => this.requests.claimNext(em, orgId, LEASE_MINUTES));
  }

  private handle(row: PrivacyRequestRow): Promise<void> {
    return row.type === 'access' ? this.accessExport.produce(row) : this.erasure.erase(row);
  }
}
