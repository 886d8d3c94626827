import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../tenant-boundary/tenant-database';

/** A SCIM token as stored: its hash, never the token. */
export interface ScimTokenRow {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly created_by_id: string | null;
  readonly expires_at: Date | null;
  readonly last_used_at: Date | null;
  readonly revoked_at: Date | null;
  readonly created_at: Date;
}

type Stored<Row> = {
  [Column in keyof Row]: Row[Column] extends Date ? string : Row[Column] extends Date | null ? string | null : Row[Column];
};

const COLUMNS = 'id, name, prefix, created_by_id, expires_at, last_used_at, revoked_at, created_at';

const dateOf = (value: string | null): Date | null => (value === null ? null : new Date(value));

function rowOf(stored: Stored<ScimTokenRow>): ScimTokenRow {
  return {
    ...stored,
    expires_at: dateOf(stored.expires_at),
    last_used_at: dateOf(stored.last_used_at),
    revoked_at: dateOf(stored.revoked_at),
    created_at: new Date(stored.created_at),
  };
}

/** Every statement on `scim_tokens`; each runs under the org's row-level security. */
@Injectable()
export class ScimTokensRepository {
  constructor(private readonly tenantDb: TenantDatabase) {}

  async insert(
    em: EntityManager,
    token: { id: string; orgId: string; name: string; tokenHash: string; prefix: string; createdBy: string | null; expiresAt: Date | null },
  ): Promise<ScimTokenRow> {
    const [stored] = await em.execute<Stored<ScimTokenRow>[]>(
      `insert into scim_tokens (id, org_id, name, token_hash, prefix, created_by_id, expires_at) values (?, ?, ?, ?, ?, ?, ?)
       returning ${COLUMNS}`,
      [token.id, token.orgId, token.name, token.tokenHash, token.prefix, token.createdBy, token.expiresAt],
    );
    return rowOf(stored);
  }

  /** A page of the org's tokens in id (creation) order, `limit + 1` rows to tell whether another page follows. */
  async list(em: EntityManager, orgId: string, limit: number, after?: string): Promise<ScimTokenRow[]> {
    const rows = await em.execute<Stored<ScimTokenRow>[]>(
      `select ${COLUMNS} from scim_tokens where org_id = ? ${after ? 'and id > ?' : ''} order by id limit ?`,
      after ? [orgId, after, limit + 1] : [orgId, limit + 1],
    );
    return rows.map(rowOf);
  }

  /** Revokes an active token; false when there is none with that id in the org. */
  async revoke(em: EntityManager, orgId: string, id: string, at: Date): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      'update scim_tokens set revoked_at = ? where org_id = ? and id = ? and revoked_at is null returning id',
      [at, orgId, id],
    );
    return rows.length > 0;
  }

  /** The token with this hash and its org's plan, read under the org the token names (the request has no tenant yet): one round trip. */
  async byHash(orgId: string, tokenHash: string): Promise<(ScimTokenRow & { plan: string }) | undefined> {
    const [stored] = await this.tenantDb.readForOrganization<Stored<ScimTokenRow> & { plan: string }>(
      orgId,
      `select ${COLUMNS.split(', ')
        .map((column) => `t.${column}`)
        .join(', ')}, o.plan
         from scim_tokens t join organizations o on o.id = t.org_id where t.org_id = ? and t.token_hash = ?`,
      [orgId, tokenHash],
    );
    return stored ? { ...rowOf(stored), plan: stored.plan } : undefined;
  }

  /** Records the token's use unless one was recorded since `unlessSince` (instances racing on one token write once). */
  async touchLastUsed(orgId: string, id: string, at: Date, unlessSince: Date): Promise<void> {
    await this.tenantDb.forOrganization(orgId, (em) =>
      em.execute('update scim_tokens set last_used_at = ? where org_id = ? and id = ? and (last_used_at is null or last_used_at < ?)', [
        at,
        orgId,
        id,
        unlessSince,
      ]),
    );
  }
}
