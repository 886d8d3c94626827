import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit/audit-log';
import { JobCounts, JobRunContext, Jobs } from '../jobs/jobs';
import { EvidenceCollection } from './evidence-collection';
import { EvidencePeriod } from './evidence.types';

export const EVIDENCE_JOB = 'evidence';
const SYSTEM_ACTOR = { type: 'system', id: EVIDENCE_JOB } as const;

/**
 * The UTC calendar day before the one `tick` falls in: [00:00 yesterday, 00:00 today). Whole days
 * rather than "the last 24 hours" so that consecutive runs tile time without gaps or overlaps
 * however late a run starts, and a month's report is exactly its days' evidence.
 */
export function previousUtcDay(tick: Date): EvidencePeriod {
  const end = new Date(Date.UTC(tick.getUTCFullYear(), tick.getUTCMonth(), tick.getUTCDate()));
  return { start: new Date(end.getTime() - 86_400_000), end };
}

/**
 * Daily, every org's evidence for the previous UTC day. One org failing does not stop the others,
 * but fails the run at the end so the stalled-job alert sees it. Each org's collection is recorded
 * in its audit log (counts only) in the same transaction as the evidence.
 */
@Injectable()
export class EvidenceJob implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly collection: EvidenceCollection,
    private readonly audit: AuditLog,
    private readonly jobs: Jobs,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: EVIDENCE_JOB,
      description: 'Collect SOC 2 evidence for every organization for the previous UTC day',
      schedule: this.config.compliance.schedules.evidence,
      run: (context) => this.collectAll(context),
    });
  }

  async collectAll(context: Pick<JobRunContext, 'runId' | 'scheduledFor'>): Promise<JobCounts> {
    const period = previousUtcDay(context.scheduledFor);
    // A failed org fails the whole run (forEachOrganization), so a recorded run names none.
    const counts = { organizations: 0, organizationsFailed: 0, records: 0, passed: 0, withExceptions: 0, failed: 0 };
    counts.organizations = await this.jobs.forEachOrganization(EVIDENCE_JOB, async (orgId) => {
      const records = await this.database.forOrganization(orgId, async () => {
        const collected = await this.collection.collectForOrg(orgId, period, context.runId);
        await this.audit.append({
          orgId,
          action: 'evidence.collect',
          actor: SYSTEM_ACTOR,
          target: { type: 'job-run', id: context.runId },
          details: {
            periodStart: period.start.toISOString(),
            periodEnd: period.end.toISOString(),
            records: collected.length,
            exceptions: collected.reduce((sum, record) => sum + record.exceptions.length, 0),
            failed: collected.filter((record) => record.result === 'fail').length,
          },
        });
        return collected;
      });
      counts.records += records.length;
      counts.passed += records.filter((record) => record.result === 'pass').length;
      counts.withExceptions += records.filter((record) => record.result === 'exceptions').length;
      counts.failed += records.filter((record) => record.result === 'fail').length;
    });
    return counts;
  }
}
