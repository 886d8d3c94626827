import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { canonicalJson } from '@app/http';
import { OrganizationCacheEntries } from '../../caching';
import { APP_CONFIG, AppConfig } from '../../config';
import { SecurityEvents, TenantDatabase } from '../../tenancy';
import { JobCounts, Jobs } from '../../platform/jobs';
import { Signer } from '../../platform/signing';
import { DeletionCertificatesRepository } from './deletion-certificates.repository';
import { OrganizationClosures } from './organization-closures.service';
import { OrganizationExportRepository } from './organization-export.repository';
import { DueClosureRow, OrganizationPurgeRepository } from './organization-purge.repository';

export const ORGANIZATION_CLOSURES_JOB = 'organization-closures';

/**
 * The daily closure job: builds exports a request left unbuilt, and deletes every organization
 * whose grace period is over and whose export was offered: all rows with its org_id (the audit
 * chain included), its accounts that belong nowhere else, the organization itself and its cache
 * entries. What was deleted is written into a signed deletion certificate that outlives the org.
 */
@Injectable()
export class OrganizationPurge implements OnModuleInit {
  private readonly logger = new Logger(OrganizationPurge.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly closures: OrganizationClosures,
    private readonly cacheEntries: OrganizationCacheEntries,
    private readonly signer: Signer,
    private readonly jobs: Jobs,
    private readonly events: SecurityEvents,
    private readonly repository: OrganizationPurgeRepository,
    private readonly exports: OrganizationExportRepository,
    private readonly certificates: DeletionCertificatesRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: ORGANIZATION_CLOSURES_JOB,
      description: 'Build missing closure exports; delete organizations whose closure grace period has ended',
      schedule: this.config.compliance.schedules.organizationClosures,
      run: () => this.run(),
    });
  }

  async run(): Promise<JobCounts> {
    let exportsBuilt = 0;
    let organizationsDeleted = 0;
    let heldBack = 0;
    const organizations = await this.jobs.forEachOrganization(ORGANIZATION_CLOSURES_JOB, async (orgId) => {
      const closure = await this.database.forOrganization(orgId, (em) => this.repository.openClosure(em, orgId));
      if (!closure) return;
      if (closure.status === 'pending') {
        await this.closures.buildExport(orgId, closure.id);
        exportsBuilt += 1;
        return; // the export is offered for at least one run before deletion
      }
      if (closure.grace_until > new Date()) return;
      if (await this.underLegalHold(orgId)) {
        // Deleting the org would delete what a hold preserves: it waits until every hold is released.
        heldBack += 1;
        return;
      }
      if (await this.purge(closure)) organizationsDeleted += 1;
      else heldBack += 1;
    });
    return { organizations, exportsBuilt, organizationsDeleted, heldBack };
  }

  private async underLegalHold(orgId: string): Promise<boolean> {
    return this.database.forOrganization(orgId, (em) => this.repository.underLegalHold(em, orgId));
  }

  /** Deletes the org; false when the closure was withdrawn or a hold placed since the job looked. */
  private async purge(closure: DueClosureRow): Promise<boolean> {
    const orgId = closure.org_id;
    const purged = await this.database.forOrganization(orgId, async (em) => {
      // Checked again under a lock in the deleting transaction: a withdrawal or a new hold that
      // landed since the job looked must win (cancel() waits on this lock, or this waits on it).
      if (!(await this.repository.lockDueClosure(em, orgId, closure.id))) return false;
      const organizationName = await this.repository.organizationName(em, orgId);
      const tables = await this.exports.tenantTables(em);
      const deleted = await this.repository.purgeOrganization(em, orgId);
      const remaining: Record<string, number> = {};
      for (const table of tables) {
        const count = await this.repository.remainingRows(em, orgId, table);
        if (count > 0) remaining[table] = count;
      }
      const certificate = {
        format: 'atrium-deletion-certificate/v1',
        certificateId: closure.certificate_id,
        organization: {
          id: orgId,
          nameSha256: createHash('sha256')
            .update(organizationName ?? '')
            .digest('hex'),
        },
        requestedBy: closure.requested_by,
        requestedAt: closure.requested_at.toISOString(),
        graceUntil: closure.grace_until.toISOString(),
        exportSha256: closure.export_sha256,
        deletedAt: new Date().toISOString(),
        method: 'SQL DELETE of every row carrying the organization id, the audit chain included; accounts with no other membership deleted',
        recordsDeleted: deleted,
        storesCovered: [...tables, 'users', 'organizations', `cache (${this.cacheEntries.store})`],
        verification: { remainingRows: remaining, clean: Object.keys(remaining).length === 0 },
        backups: 'Database backups taken before deletedAt still hold the data; they are beyond use and are deleted as backups rotate.',
      };
      const signature = await this.signer.sign(canonicalJson(certificate));
      await this.certificates.insert(em, { id: closure.certificate_id, closedOrgId: orgId, body: certificate, signature });
      return true;
    });
    if (!purged) return false;
    await this.events.record({ type: 'organization.deleted', orgId, actor: { type: 'system', id: ORGANIZATION_CLOSURES_JOB } });
    const evicted = await this.cacheEntries.purge(orgId);
    this.logger.log({ orgId, cacheEntriesEvicted: evicted }, 'organization deleted after its closure grace period');
    return true;
  }
}
