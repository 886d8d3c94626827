import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CacheVersions } from '../../caching';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit';
import { JobCounts, JobRunContext, Jobs } from '../../platform/jobs';
import { RETENTION_CATEGORY_NAMES, RetentionCategory } from './retention-categories';
import { effectivePoliciesOf, purgeTargetsOf } from './retention-policies';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { PurgeCount, PurgeTarget } from './retention-predicates';
import { RetentionPurger } from './retention-purger.service';
import { RetentionRunsRepository } from './retention-runs.repository';

export const RETENTION_JOB = 'retention';
const CASCADED_ACTIVITIES = 'inactive_contacts_cascaded_activities';
const NOTHING_DONE: PurgeCount = { count: 0, cascadedActivities: 0 };

/** Cached CRM reads built from these record types must miss after retention changed the category's rows. */
const CACHED_RESOURCES: Partial<Record<RetentionCategory, readonly string[]>> = {
  activities: ['activities'],
  inactive_contacts: ['contacts', 'activities'],
};

interface OrganizationRun {
  readonly succeeded: boolean;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Nightly, every organization's retention policies are applied: each category's rows past
 * retention (legal holds excluded) are deleted or anonymised in batches. Each org's run is
 * recorded in `retention_runs` and in its audit log; one org failing does not stop the others,
 * but fails the job run at the end so the failure alerts.
 */
@Injectable()
export class RetentionJob implements OnModuleInit {
  private readonly logger = new Logger(RetentionJob.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly purger: RetentionPurger,
    private readonly audit: AuditLog,
    private readonly versions: CacheVersions,
    private readonly jobs: Jobs,
    private readonly policies: RetentionPoliciesRepository,
    private readonly runs: RetentionRunsRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: RETENTION_JOB,
      description: 'Delete or anonymise what every organization’s retention policies say is past retention, except under legal hold',
      schedule: this.config.compliance.schedules.retention,
      run: (context) => this.runAll(context.runId, context),
    });
  }

  /** `lease` (the job run's) stops the run before the next org or batch once the job's lease is lost. */
  async runAll(jobRunId: string, lease?: Pick<JobRunContext, 'assertHeld'>): Promise<JobCounts> {
    const orgs = (await this.jobs.organizationIds()).map((id) => ({ id }));
    const totals: Record<string, number> = { organizations: orgs.length, organizationsFailed: 0, [CASCADED_ACTIVITIES]: 0 };
    for (const category of RETENTION_CATEGORY_NAMES) totals[category] = 0;
    for (const { id } of orgs) {
      lease?.assertHeld();
      const run = await this.runForOrganization(id, jobRunId, lease);
      if (!run.succeeded) totals.organizationsFailed += 1;
      for (const [name, count] of Object.entries(run.counts)) totals[name] = (totals[name] ?? 0) + count;
    }
    if (totals.organizationsFailed > 0) {
      throw new Error(`Retention failed for ${totals.organizationsFailed} of ${orgs.length} organizations (see retention_runs)`);
    }
    return totals;
  }

  /** Applies one org's policies; never throws, so the next org runs whatever happened here. */
  async runForOrganization(orgId: string, jobRunId: string | null, lease?: Pick<JobRunContext, 'assertHeld'>): Promise<OrganizationRun> {
    const runId = uuidv7();
    const startedAt = new Date();
    const counts: Record<string, number> = {};
    let error: unknown;
    try {
      await this.applyPolicies(orgId, { runId, jobRunId, startedAt }, counts, lease);
    } catch (caught) {
      error = caught;
      this.logger.error({ err: caught, orgId, runId }, 'retention failed for an organization');
    }
    const durationMs = Date.now() - startedAt.getTime();
    try {
      // The run's record and its audit event commit together: the append joins this transaction.
      await this.database.forOrganization(orgId, async (em) => {
        await this.runs.finish(em, {
          runId,
          orgId,
          jobRunId,
          startedAt,
          outcome: error ? 'failed' : 'succeeded',
          counts,
          durationMs,
          error: error ? messageOf(error) : null,
        });
        await this.audit.append({
          orgId,
          action: 'retention.run',
          actor: { type: 'system', id: 'retention' },
          target: { type: 'retention-run', id: runId },
          outcome: error ? 'failure' : 'success',
          details: { ...counts, durationMs },
        });
      });
    } catch (caught) {
      this.logger.error({ err: caught, orgId, runId }, 'could not record the retention run');
      return { succeeded: false, counts };
    }
    return { succeeded: !error, counts };
  }

  /**
   * Records the run as running and counts every category first, in one transaction (most orgs
   * have nothing due on most nights, and this keeps them cheap), then applies the categories that
   * have rows due. Fills `counts` as categories complete, so a failure still reports what was
   * done before it.
   */
  private async applyPolicies(
    orgId: string,
    run: { runId: string; jobRunId: string | null; startedAt: Date },
    counts: Record<string, number>,
    lease?: Pick<JobRunContext, 'assertHeld'>,
  ): Promise<void> {
    const targets = await this.database.forOrganization(orgId, async (em) => {
      await this.runs.start(em, { ...run, orgId });
      const all = purgeTargetsOf(orgId, effectivePoliciesOf(await this.policies.stored(em, orgId)), run.startedAt);
      const maybe = new Set(await this.purger.mayBeDue(em, all));
      const due: { target: PurgeTarget; count: number }[] = [];
      for (const target of all) due.push({ target, count: maybe.has(target) ? (await this.purger.count(em, target)).count : 0 });
      return due;
    });
    for (const { target, count } of targets) {
      const done = count > 0 ? await this.purger.purge(target, this.config.compliance.retentionBatchSize, lease) : NOTHING_DONE;
      counts[target.category] = done.count;
      if (target.category === 'inactive_contacts' && target.action === 'delete') counts[CASCADED_ACTIVITIES] = done.cascadedActivities;
      const resources = CACHED_RESOURCES[target.category];
      // Each batch has committed by now; cached reads must not serve the deleted or anonymised rows.
      if (resources && done.count > 0) await this.versions.bump(orgId, resources);
    }
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
