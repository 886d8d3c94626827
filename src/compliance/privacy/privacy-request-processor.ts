import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { JobCounts, Jobs } from '../jobs/jobs';
import { PRIVACY_REQUESTS_JOB, PrivacyRequestRow, REQUEST_COLUMNS } from './privacy-request-row';
import { SubjectAccessExport } from './subject-access-export';
import { SubjectErasure } from './subject-erasure';

/**
 * A claimed request not finished within this long is taken to belong to an instance that died,
 * and is claimed again. Handling one takes seconds; both kinds can safely run again.
 */
const LEASE_MINUTES = 15;

/**
 * Handles privacy requests in the background. A new request is started in-process right after it
 * commits; the `privacy-requests` job picks up, across organizations, any that were not (the
 * instance crashed, or a start failed) and any whose claim outlived its lease. A claim is one
 * UPDATE of the row from `pending` (or an expired `in_progress`) to `in_progress`, so two
 * instances never handle one request at the same time.
 */
@Injectable()
export class PrivacyRequestProcessor implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PrivacyRequestProcessor.name);
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly jobs: Jobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly accessExport: SubjectAccessExport,
    private readonly erasure: SubjectErasure,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: PRIVACY_REQUESTS_JOB,
      description: 'Handles privacy requests whose in-process start was lost, and resumes those whose handler died',
      schedule: this.config.compliance.schedules.privacyRequests,
      run: () => this.processWaiting(),
    });
  }

  /** Work in flight finishes (or fails and is left to the job) before connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Starts handling a just-committed request without holding up the response that created it. */
  startSoon(orgId: string, id: string): void {
    // A context of its own: the request that created it is over, and its client IP is not this work's.
    const work = this.context.run(this.context.requestId ?? randomUUID(), () => this.processById(orgId, id));
    this.running.add(work);
    void work
      .catch((error: unknown) => this.logger.error({ err: error, privacyRequestId: id }, 'privacy request could not be handled'))
      .finally(() => this.running.delete(work));
  }

  /** One pass over every organization: claims and handles each waiting request in turn. */
  async processWaiting(): Promise<JobCounts> {
    const organizations = (await this.jobs.organizationIds()).map((id) => ({ id }));
    const counts = { organizations: organizations.length, handled: 0, failed: 0 };
    for (const { id: orgId } of organizations) {
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

  private async processById(orgId: string, id: string): Promise<void> {
    const [row] = await this.database.forOrganization(orgId, (em) =>
      em.execute<PrivacyRequestRow[]>(
        `update privacy_requests set status = 'in_progress', started_at = now(), updated_at = now()
         where org_id = ? and id = ? and status = 'pending' returning ${REQUEST_COLUMNS}`,
        [orgId, id],
      ),
    );
    if (row) await this.handle(row);
  }

  /** The oldest waiting request of the org; SKIP LOCKED lets concurrent claimers take different ones. */
  private async claimNext(orgId: string): Promise<PrivacyRequestRow | undefined> {
    const [row] = await this.database.forOrganization(orgId, (em) =>
      em.execute<PrivacyRequestRow[]>(
        `update privacy_requests set status = 'in_progress', started_at = now(), updated_at = now()
         where org_id = ? and id = (
           select id from privacy_requests
           where org_id = ? and (status = 'pending' or (status = 'in_progress' and started_at < now() - make_interval(mins => ?)))
           order by received_at, id
           for update skip locked
           limit 1)
         returning ${REQUEST_COLUMNS}`,
        [orgId, orgId, LEASE_MINUTES],
      ),
    );
    return row;
  }

  private handle(row: PrivacyRequestRow): Promise<void> {
    return row.type === 'access' ? this.accessExport.produce(row) : this.erasure.erase(row);
  }
}
