import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

const gzipAsync = promisify(gzip);

/** Credentials and their hashes never leave the database, not even in the org's own export. */
const SECRET_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_keys: ['key_hash'],
  invitations: ['token_hash'],
  idempotency_records: ['response_headers'],
};

/** Tables the export leaves out: its own earlier exports, and report bytes that are rebuilt from evidence. */
const SKIPPED_TABLES = new Set(['organization_closures', 'compliance_report_files']);

export interface OrganizationExport {
  readonly gzip: Buffer;
  readonly sha256: string;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * The org's complete data as one gzipped JSON document, for the owner to take away before the
 * org is deleted (GDPR Art. 28(3)(g)). Every table with an `org_id` column is included, found in
 * the catalogue rather than listed here, so a table added later is exported too.
 */
@Injectable()
export class OrganizationExporter {
  async build(em: EntityManager, orgId: string): Promise<OrganizationExport> {
    const [organization] = await em.execute<Record<string, unknown>[]>('select * from organizations where id = ?', [orgId]);
    const members = await em.execute<Record<string, unknown>[]>(
      `select u.id, u.email, u.name, u.created_at, u.last_login_at, m.role, m.created_at as member_since
       from memberships m join users u on u.id = m.user_id where m.org_id = ? order by m.created_at`,
      [orgId],
    );
    const tables: Record<string, Record<string, unknown>[]> = {};
    const counts: Record<string, number> = {};
    for (const table of await tenantTables(em)) {
      if (SKIPPED_TABLES.has(table)) continue;
      const rows = await em.execute<Record<string, unknown>[]>(`select * from "${table}" where org_id = ?`, [orgId]);
      const hidden = SECRET_COLUMNS[table] ?? [];
      tables[table] = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !hidden.includes(column))));
      counts[table] = rows.length;
    }
    const document = { format: 'atrium-organization-export/v1', exportedAt: new Date().toISOString(), organization, members, tables };
    const compressed = await gzipAsync(Buffer.from(JSON.stringify(document)));
    return { gzip: compressed, sha256: createHash('sha256').update(compressed).digest('hex'), counts };
  }
}

/** Every base table of the schema with an `org_id` column. */
export async function tenantTables(em: EntityManager): Promise<string[]> {
  const rows = await em.execute<{ table_name: string }[]>(
    `select c.table_name from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'
     order by c.table_name`,
  );
  return rows.map((row) => row.table_name);
}
