import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit/audit-log';
import { EvidencePeriod } from '../evidence/evidence.types';
import { JobCounts, JobRunContext, Jobs } from '../jobs/jobs';
import { ReportGenerator } from './report-generator';
import { previousMonth } from './report-period';

export const MONTHLY_REPORTS_JOB = 'monthly-reports';

type OrganizationOutcome = 'generated' | 'existing' | 'failed';

/**
 * Early each month, every organization gets a signed report of the calendar month (UTC) that
 * just ended. The partial unique index on (org, period start) of monthly reports makes it one per
 * org and month however often the job runs; a month whose report failed is generated again by
 * the next run. One org failing does not stop the others, but fails the run so it alerts.
 */
@Injectable()
export class MonthlyReportsJob implements OnModuleInit {
  private readonly logger = new Logger(MonthlyReportsJob.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly generator: ReportGenerator,
    private readonly audit: AuditLog,
    private readonly jobs: Jobs,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: MONTHLY_REPORTS_JOB,
      description: 'Generate and sign every organization’s compliance report for the previous calendar month (UTC)',
      schedule: this.config.compliance.schedules.monthlyReports,
      run: (context) => this.runAll(previousMonth(context.scheduledFor), context.runId, context),
    });
  }

  /** `lease` (the job run's) stops the run before the next org once the job's lease is lost. */
  async runAll(period: EvidencePeriod, jobRunId: string, lease?: Pick<JobRunContext, 'assertHeld'>): Promise<JobCounts> {
    const orgs = (await this.jobs.organizationIds()).map((id) => ({ id }));
    const counts: Record<OrganizationOutcome, number> = { generated: 0, existing: 0, failed: 0 };
    for (const { id } of orgs) {
      lease?.assertHeld();
      counts[await this.runForOrganization(id, period, jobRunId)] += 1;
    }
    if (counts.failed > 0) {
      throw new Error(`Monthly reports failed for ${counts.failed} of ${orgs.length} organizations (see compliance_reports.error)`);
    }
    return { organizations: orgs.length, reportsGenerated: counts.generated, reportsExisting: counts.existing };
  }

  /** Claims the org's report of the month and generates it, all in one transaction; never throws. */
  private async runForOrganization(orgId: string, period: EvidencePeriod, jobRunId: string): Promise<OrganizationOutcome> {
    try {
      return await this.database.forOrganization(orgId, async () => {
        const reportId = await this.claim(orgId, period, 'generating', null);
        if (!reportId) return 'existing';
        const summary = await this.generator.generate({ id: reportId, orgId, kind: 'monthly', period }, jobRunId);
        await this.audit.append({
          orgId,
          action: 'report.generate',
          actor: { type: 'system', id: MONTHLY_REPORTS_JOB },
          target: { type: 'report', id: reportId },
          outcome: 'success',
          details: { ...summary, periodStart: period.start.toISOString(), periodEnd: period.end.toISOString() },
        });
        return 'generated';
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, orgId }, 'monthly report failed');
      try {
        await this.database.forOrganization(orgId, async () => {
          const reportId = await this.claim(orgId, period, 'failed', message.slice(0, 2000));
          await this.audit.append({
            orgId,
            action: 'report.generate',
            actor: { type: 'system', id: MONTHLY_REPORTS_JOB },
            target: reportId ? { type: 'report', id: reportId } : null,
            outcome: 'failure',
            details: { periodStart: period.start.toISOString(), periodEnd: period.end.toISOString() },
          });
        });
      } catch (recordError) {
        this.logger.error({ err: recordError, orgId }, 'could not record the failed monthly report');
      }
      return 'failed';
    }
  }

  /**
   * Inserts the org's monthly report for the period, or takes over one left pending or failed;
   * undefined when a report of that month is already generating or ready.
   */
  private async claim(orgId: string, period: EvidencePeriod, status: 'generating' | 'failed', error: string | null) {
    return this.database.forOrganization(orgId, async (em) => {
      const [row] = await em.execute<{ id: string }[]>(
        `insert into compliance_reports (id, org_id, kind, period_start, period_end, status, error)
         values (?, ?, 'monthly', ?, ?, ?, ?)
         on conflict (org_id, period_start) where kind = 'monthly'
         do update set status = excluded.status, error = excluded.error where compliance_reports.status in ('pending', 'failed')
         returning id`,
        [uuidv7(), orgId, period.start, period.end, status, error],
      );
      return row?.id as string | undefined;
    });
  }
}
