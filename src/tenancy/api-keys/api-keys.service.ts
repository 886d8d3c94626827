import { ref } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { NotFoundError, Page, ValidationError, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { API_KEY_PREFIX, displayPrefix, hashSecret, newOrgScopedToken } from '../auth/tokens';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { Permission } from '../permissions';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { ApiKeyView, CreatedApiKeyView } from './dto/api-key.dto';

function present(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdBy: key.createdBy.id,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly events: SecurityEvents,
  ) {}

  /** Scopes must be a subset of the creator's own permissions; the secret is returned once and stored as a hash. */
  async create(name: string, scopes: Permission[], expiresAt?: Date): Promise<CreatedApiKeyView> {
    const tenant = this.context.requireTenant();
    const beyond = scopes.filter((scope) => !tenant.permissions.has(scope));
    if (beyond.length > 0) {
      throw new ValidationError([{ field: 'scopes', message: `exceed your own permissions: ${beyond.join(', ')}` }]);
    }
    const secret = newOrgScopedToken(API_KEY_PREFIX, tenant.orgId);
    const key = await this.tenantDb.transaction(async (em) => {
      const key = new ApiKey();
      key.name = name;
      key.scopes = [...scopes].sort();
      key.keyHash = hashSecret(secret);
      key.prefix = displayPrefix(secret);
      key.createdBy = ref(em.getReference(User, tenant.principal.userId as string));
      key.expiresAt = expiresAt ?? null;
      em.persist(key);
      return key;
    });
    await this.events.record({
      type: 'api-key.created',
      target: { type: 'api_key', id: key.id },
      details: { scopes: key.scopes.join(',') },
    });
    return { ...present(key), secret };
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKeyView>> {
    const after = decodeCursor(cursor);
    const rows = await this.tenantDb.transaction((em) =>
      em.find(ApiKey, after ? { id: { $gt: after } } : {}, { orderBy: { id: 'asc' }, limit: limit + 1 }),
    );
    return toPage(rows, limit, present);
  }

  /** Takes effect on the key's next request on every instance: keys are checked against the database each time. */
  async revoke(id: string): Promise<void> {
    await this.tenantDb.transaction(async (em) => {
      const key = await em.findOne(ApiKey, { id, revokedAt: null });
      if (!key) throw new NotFoundError('API_KEY_NOT_FOUND', 'No active API key with that id.');
      key.revokedAt = new Date();
    });
    await this.events.record({ type: 'api-key.revoked', target: { type: 'api_key', id } });
  }
}
