import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { AuditLog } from '../audit';
import { FinishItem, OrganizationFanOut } from '../../platform/jobs';
import { EvidenceCollection } from './evidence-collection.service';
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
 * Daily, every org's evidence for the previous UTC day, one queue item per org worked by every
 * instance (platform/jobs/organization-fan-out.service.ts). One org failing does not stop the others; it is retried, and
 * once its retries are spent it fails the run so the stalled-job alert sees it. Each org's
 * collection is recorded in its audit log (counts only) in the same transaction as the evidence
 * and as the item's end, so a redelivered item changes nothing.
 */
@Injectable()
export class EvidenceJob implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly collection: EvidenceCollection,
    private readonly audit: AuditLog,
    private readonly fanOut: OrganizationFanOut,
  ) {}

  onModuleInit(): void {
    this.fanOut.register({
      name: EVIDENCE_JOB,
      description: 'Collect SOC 2 evidence for every organization for the previous UTC day',
      schedule: this.config.compliance.schedules.evidence,
      forOrganization: (orgId, run, finish) => this.collectForOrganization(orgId, run, finish),
    });
  }

  private async collectForOrganization(orgId: string, run: { runId: string; scheduledFor: Date }, finish: FinishItem): Promise<void> {
    const period = previousUtcDay(run.scheduledFor);
    await this.database.forOrganization(orgId, async (em) => {
      const records = await this.collection.collectForOrg(orgId, period, run.runId);
      await this.audit.append({
        orgId,
        action: 'evidence.collect',
        actor: SYSTEM_ACTOR,
        target: { type: 'job-run', id: run.runId },
        details: {
          periodStart: period.start.toISOString(),
          periodEnd: period.end.toISOString(),
          records: records.length,
          exceptions: records.reduce((sum, record) => sum + record.exceptions.length, 0),
          failed: records.filter((record) => record.result === 'fail').length,
        },
      });
      await finish(em, {
        records: records.length,
        passed: records.filter((record) => record.result === 'pass').length,
        withExceptions: records.filter((record) => record.result === 'exceptions').length,
        failed: records.filter((record) => record.result === 'fail').length,
      });
    });
  }
}
