import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { canonicalJson } from '@app/http';
import { OrganizationCacheEntries } from '../../caching';
import { APP_CONFIG, AppConfig } from '../../config';
import { SecurityEvents, TenantDatabase } from '../../tenancy';
import { JobCounts, Jobs } from '../jobs/jobs';
import { Signer } from '../signing/signer';
import { OrganizationClosures } from './organization-closures.service';
import { tenantTables } from './organization-export';

export const ORGANIZATION_CLOSURES_JOB = 'organization-closures';

interface DueClosure {
  id: string;
  org_id: string;
  status: 'pending' | 'export_ready';
  requested_by: string;
  requested_at: string;
  grace_until: string;
  export_sha256: string | null;
  certificate_id: string;
}

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
      const [closure] = await this.database.forOrganization(orgId, (em) =>
        em.execute<DueClosure[]>(
          `select id, org_id, status, requested_by, requested_at, grace_until, export_sha256, certificate_id
           from organization_closures where org_id = ? and status <> 'cancelled'`,
          [orgId],
        ),
      );
      if (!closure) return;
      if (closure.status === 'pending') {
        await this.closures.buildExport(orgId, closure.id);
        exportsBuilt += 1;
        return; // the export is offered for at least one run before deletion
      }
      if (new Date(closure.grace_until) > new Date()) return;
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
    const [row] = await this.database.forOrganization(orgId, (em) =>
      em.execute<{ held: boolean }[]>('select exists (select 1 from legal_holds where org_id = ? and released_at is null) as held', [
        orgId,
      ]),
    );
    return row.held;
  }

  /** Deletes the org; false when the closure was withdrawn or a hold placed since the job looked. */
  private async purge(closure: DueClosure): Promise<boolean> {
    const orgId = closure.org_id;
    const purged = await this.database.forOrganization(orgId, async (em) => {
      // Checked again under a lock in the deleting transaction: a withdrawal or a new hold that
      // landed since the job looked must win (cancel() waits on this lock, or this waits on it).
      const [due] = await em.execute<{ id: string }[]>(
        `select id from organization_closures where org_id = ? and id = ? and status = 'export_ready' and grace_until <= now()
           and not exists (select 1 from legal_holds where org_id = ? and released_at is null)
         for update`,
        [orgId, closure.id, orgId],
      );
      if (!due) return false;
      const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
      const tables = await tenantTables(em);
      const [{ deleted }] = await em.execute<{ deleted: Record<string, number> }[]>('select purge_organization(?) as deleted', [orgId]);
      const remaining: Record<string, number> = {};
      for (const table of tables) {
        const [{ count }] = await em.execute<{ count: string }[]>(`select count(*) from "${table}" where org_id = ?`, [orgId]);
        if (Number(count) > 0) remaining[table] = Number(count);
      }
      const certificate = {
        format: 'atrium-deletion-certificate/v1',
        certificateId: closure.certificate_id,
        organization: {
          id: orgId,
          nameSha256: createHash('sha256')
            .update(organization?.name ?? '')
            .digest('hex'),
        },
        requestedBy: closure.requested_by,
        requestedAt: new Date(closure.requested_at).toISOString(),
        graceUntil: new Date(closure.grace_until).toISOString(),
        exportSha256: closure.export_sha256,
        deletedAt: new Date().toISOString(),
        method: 'SQL DELETE of every row carrying the organization id, the audit chain included; accounts with no other membership deleted',
        recordsDeleted: deleted,
        storesCovered: [...tables, 'users', 'organizations', `cache (${this.cacheEntries.store})`],
        verification: { remainingRows: remaining, clean: Object.keys(remaining).length === 0 },
        backups: 'Database backups taken before deletedAt still hold the data; they are beyond use and are deleted as backups rotate.',
      };
      const signature = await this.signer.sign(canonicalJson(certificate));
      await em.execute(
        'insert into deletion_certificates (id, closed_org_id, certificate, signature, key_id) values (?, ?, ?::jsonb, ?, ?)',
        [closure.certificate_id, orgId, JSON.stringify(certificate), signature.value, signature.keyId],
      );
      return true;
    });
    if (!purged) return false;
    await this.events.record({ type: 'organization.deleted', orgId, actor: { type: 'system', id: ORGANIZATION_CLOSURES_JOB } });
    const evicted = await this.cacheEntries.purge(orgId);
    this.logger.log({ orgId, cacheEntriesEvicted: evicted }, 'organization deleted after its closure grace period');
    return true;
  }
}
