import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError, ConflictError, NotFoundError, ValidationError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { BackgroundTasks } from '../../platform/jobs';
import { ClosureView } from './dto/closure.dto';
import { OrganizationExporter } from './organization-export.service';
import { ClosureRow, OrganizationClosuresRepository } from './organization-closures.repository';

/** The background task (platform/jobs/background-tasks.service.ts) that builds a closure's export. */
const CLOSURE_EXPORT_TASK = 'closure-export';

const CLOSURE_NOT_FOUND = () => new NotFoundError('CLOSURE_NOT_FOUND', 'This organization has no closure requested.');

/**
 * An owner's request to close the organization (GDPR Art. 28(3)(g): return, then delete). The
 * export is queued on the durable work queue right after the request commits, built by any
 * instance with retries (and by the daily job if the start was lost); the
 * org keeps working through the grace period, during which the request can be withdrawn; then
 * the closure job deletes everything (see OrganizationPurge).
 */
@Injectable()
export class OrganizationClosures implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(OrganizationClosures.name);
  /** Exports being queued after their request committed: shutdown waits for them before connections close. */
  private readonly starting = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly exporter: OrganizationExporter,
    private readonly tasks: BackgroundTasks,
    private readonly repository: OrganizationClosuresRepository,
  ) {}

  onModuleInit(): void {
    this.tasks.register(CLOSURE_EXPORT_TASK, (orgId, id) => this.buildExportIfPending(orgId, id));
  }

  async request(confirmOrganizationName: string): Promise<ClosureView> {
    const orgId = this.context.requireOrgId();
    const principal = this.context.requireTenant().principal;
    const row = await this.database.transaction(async (em) => {
      if ((await this.repository.organizationName(em, orgId)) !== confirmOrganizationName) {
        throw new ValidationError([{ field: 'confirmOrganizationName', message: 'must be the organization’s current name' }]);
      }
      const created = await this.repository.insertUnlessOpen(em, {
        id: uuidv7(),
        orgId,
        requestedBy: principal.userId ?? principal.id,
        graceDays: this.config.compliance.closureGraceDays,
        certificateId: randomUUID(),
      });
      if (!created) throw new ConflictError('CLOSURE_ALREADY_REQUESTED', 'A closure of this organization is already under way.');
      await this.database.afterCommit(async () => {
        const starting = this.tasks
          .start(CLOSURE_EXPORT_TASK, orgId, created.id)
          .catch((error: unknown) =>
            this.logger.error({ err: error, orgId }, 'the closure export could not be queued; the closure job builds it'),
          );
        this.starting.add(starting);
        void starting.finally(() => this.starting.delete(starting));
      });
      return created;
    });
    return viewOf(row);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.starting]);
  }

  async current(): Promise<ClosureView> {
    return viewOf(await this.open());
  }

  async cancel(): Promise<void> {
    const closure = await this.open();
    // The update's row lock orders it with a purge that already locked the closure: either the
    // purge finishes first (and this finds nothing to cancel) or it finds the closure cancelled.
    await this.database.transaction((em) => this.repository.cancel(em, closure.org_id, closure.id));
  }

  async export(): Promise<{ gzip: Buffer; sha256: string }> {
    const closure = await this.open();
    const row = await this.database.transaction((em) => this.repository.storedExport(em, closure.org_id, closure.id));
    if (!row?.export || !row.export_sha256) {
      throw new AppError('conflict', 'CLOSURE_EXPORT_NOT_READY', 'The export is still being built; try again shortly.');
    }
    return { gzip: row.export, sha256: row.export_sha256 };
  }

  /** Builds and stores the export of a pending closure; the closure job calls it for any the request path missed. */
  async buildExport(orgId: string, closureId: string): Promise<void> {
    // Read in one snapshot (the export reads in batches), stored in a transaction of its own.
    const built = await this.database.snapshotOf(orgId, (em) => this.exporter.build(em, orgId));
    await this.database.forOrganization(orgId, (em) => this.repository.storeExport(em, orgId, closureId, built));
  }

  /** The queued task: a closure withdrawn, or whose export another run stored, needs none. */
  private async buildExportIfPending(orgId: string, closureId: string): Promise<void> {
    const open = await this.database.forOrganization(orgId, (em) => this.repository.open(em, orgId));
    if (open?.id !== closureId || open.status !== 'pending') return;
    await this.buildExport(orgId, closureId);
  }

  private async open(): Promise<ClosureRow> {
    const orgId = this.context.requireOrgId();
    const row = await this.database.transaction((em) => this.repository.open(em, orgId));
    if (!row) throw CLOSURE_NOT_FOUND();
    return row;
  }
}

function viewOf(row: ClosureRow): ClosureView {
  return {
    id: row.id,
    status: row.status === 'cancelled' ? 'pending' : row.status,
    requestedAt: new Date(row.requested_at).toISOString(),
    graceUntil: new Date(row.grace_until).toISOString(),
    exportSha256: row.export_sha256,
    certificateId: row.certificate_id,
  };
}
