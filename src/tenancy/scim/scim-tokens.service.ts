import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { NotFoundError, Page, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { hashSecret, newOrgScopedToken } from '../auth/tokens';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { CreatedScimTokenView, ScimTokenView } from './dto/scim-token.dto';
import { SCIM_TOKEN_PREFIX } from './scim-credentials';
import { ScimTokenRow, ScimTokensRepository } from './scim-tokens.repository';

function present(row: ScimTokenRow): ScimTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdBy: row.created_by_id,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** The org's SCIM tokens: created and revoked by owners and admins, each shown once. */
@Injectable()
export class ScimTokensService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly tokens: ScimTokensRepository,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async create(name: string, expiresAt?: Date): Promise<CreatedScimTokenView> {
    const tenant = this.context.requireTenant();
    const token = newOrgScopedToken(SCIM_TOKEN_PREFIX, tenant.orgId);
    const row = await this.tenantDb.transaction((em) =>
      this.tokens.insert(em, {
        id: uuidv7(),
        orgId: tenant.orgId,
        name,
        tokenHash: hashSecret(token),
        prefix: `${token.slice(0, SCIM_TOKEN_PREFIX.length + 28)}…`,
        createdBy: tenant.principal.userId ?? null,
        expiresAt: expiresAt ?? null,
      }),
    );
    await this.events.record({ type: 'scim-token.created', target: { type: 'scim_token', id: row.id } });
    return { ...present(row), token, baseUrl: `${this.config.http.publicUrl ?? ''}/scim/v2` };
  }

  async list(limit: number, cursor?: string): Promise<Page<ScimTokenView>> {
    const after = decodeCursor(cursor);
    const orgId = this.context.requireOrgId();
    const rows = await this.tenantDb.transaction((em) => this.tokens.list(em, orgId, limit, after));
    return toPage(rows, limit, present);
  }

  /** Takes effect on every instance within a second (the credential near cache), on this one at once. */
  async revoke(id: string): Promise<void> {
    const orgId = this.context.requireOrgId();
    const revoked = await this.tenantDb.transaction((em) => this.tokens.revoke(em, orgId, id, new Date()));
    if (!revoked) throw new NotFoundError('SCIM_TOKEN_NOT_FOUND', 'No active SCIM token with that id.');
    await this.events.record({ type: 'scim-token.revoked', target: { type: 'scim_token', id } });
  }
}
