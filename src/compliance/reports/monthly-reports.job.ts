import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit';
import { EvidencePeriod } from '../evidence';
import { FinishItem, ItemAlreadyDone, OrganizationFanOut } from '../../platform/jobs';
import { ReportGenerator } from './report-generator.service';
import { ReportsRepository } from './reports.repository';
import { previousMonth } from './report-period';

export const MONTHLY_REPORTS_JOB = 'monthly-reports';

/**
 * Early each month, every organization gets a signed report of the calendar month (UTC) that
 * just ended, one queue item per org worked by every instance (platform/jobs/organization-fan-out.service.ts). The
 * partial unique index on (org, period start) of monthly reports makes it one per org and month
 * however often the job runs; a report that failed is recorded as failed and generated again by
 * the item's retry, or by the next run. One org failing does not stop the others, but fails the
 * run once its retries are spent, so it alerts.
 */
@Injectable()
export class MonthlyReportsJob implements OnModuleInit {
  private readonly logger = new Logger(MonthlyReportsJob.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly generator: ReportGenerator,
    private readonly audit: AuditLog,
    private readonly fanOut: OrganizationFanOut,
    private readonly reports: ReportsRepository,
  ) {}

  onModuleInit(): void {
    this.fanOut.register({
      name: MONTHLY_REPORTS_JOB,
      description: 'Generate and sign every organization’s compliance report for the previous calendar month (UTC)',
      schedule: this.config.compliance.schedules.monthlyReports,
      forOrganization: (orgId, run, finish) => this.runForOrganization(orgId, previousMonth(run.scheduledFor), run.runId, finish),
    });
  }

  /**
   * Claims the org's report of the month and generates it, with the item's end, in one
   * transaction. A failure is recorded (the report as failed, an audit event) and rethrown, so the
   * item is retried.
   */
  private async runForOrganization(orgId: string, period: EvidencePeriod, jobRunId: string, finish: FinishItem): Promise<void> {
    try {
      await this.database.forOrganization(orgId, async (em) => {
        const reportId = await this.claim(orgId, period, 'generating', null);
        if (!reportId) {
          await finish(em, { reportsGenerated: 0, reportsExisting: 1 });
          return;
        }
        const summary = await this.generator.generate({ id: reportId, orgId, kind: 'monthly', period }, jobRunId);
        await this.audit.append({
          orgId,
          action: 'report.generate',
          actor: { type: 'system', id: MONTHLY_REPORTS_JOB },
          target: { type: 'report', id: reportId },
          outcome: 'success',
          details: { ...summary, periodStart: period.start.toISOString(), periodEnd: period.end.toISOString() },
        });
        await finish(em, { reportsGenerated: 1, reportsExisting: 0 });
      });
    } catch (error) {
      if (error instanceof ItemAlreadyDone) throw error;
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
      throw error;
    }
  }

  /** Claims the org's report of the month (reportsRepository.claimMonthly) in the org's transaction. */
  private claim(orgId: string, period: EvidencePeriod, status: 'generating' | 'failed', error: string | null): Promise<string | undefined> {
    return this.database.forOrganization(orgId, (em) => this.reports.claimMonthly(em, { id: uuidv7(), orgId, period }, status, error));
  }
}
