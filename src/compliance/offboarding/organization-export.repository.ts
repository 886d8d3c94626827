import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/**
 * The SQL that reads an org's complete data for its closure export. Rows come back exactly as the
 * driver hands them over (timestamps as PostgreSQL's text, jsonb parsed): the export writes them
 * as they are stored. Each call runs in the export's REPEATABLE READ transaction for the org.
 */
@Injectable()
export class OrganizationExportRepository {
  async organization(em: EntityManager, orgId: string): Promise<Record<string, unknown> | undefined> {
    const [organization] = await em.execute<Record<string, unknown>[]>('select * from organizations where id = ?', [orgId]);
    return organization;
  }

  /** The org's members with their accounts (no credentials). */
  members(em: EntityManager, orgId: string): Promise<Record<string, unknown>[]> {
    return em.execute<Record<string, unknown>[]>(
      `select u.id, u.email, u.name, u.created_at, u.last_login_at, m.role, m.created_at as member_since
       from memberships m join users u on u.id = m.user_id where m.org_id = ? order by m.created_at`,
      [orgId],
    );
  }

  /** Every base table of the schema with an `org_id` column. */
  async tenantTables(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<{ table_name: string }[]>(
      `select c.table_name from information_schema.columns c
     join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'
     order by c.table_name`,
    );
    return rows.map((row) => row.table_name);
  }

  /**
   * Opens a cursor of the transaction over the org's rows of `table` (one index scan); read it with
   * `fetchRows`, then `closeRows`. On a failure the transaction ends, and its cursor with it.
   */
  async openRows(em: EntityManager, orgId: string, table: string): Promise<void> {
    await em.execute('declare export_rows no scroll cursor for select * from ?? where org_id = ?', [table, orgId]);
  }

  /** The next `batch` rows of the open cursor; fewer once it is exhausted. */
  fetchRows(em: EntityManager, batch: number): Promise<Record<string, unknown>[]> {
    return em.execute<Record<string, unknown>[]>('fetch forward ? from export_rows', [batch]);
  }

  async closeRows(em: EntityManager): Promise<void> {
    await em.execute('close export_rows');
  }
}
