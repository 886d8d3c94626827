import { Client } from 'pg';

/**
 * Runs `sql` as the table owner with the append-only trigger of audit_events off: what an attacker
 * with DBA rights could do, for the suites that check the chain notices it.
 */
export async function asOwnerWithoutTrigger(db: Client, sql: string, params: unknown[]): Promise<void> {
  await db.query('begin');
  await db.query('alter table audit_events disable trigger audit_events_append_only');
  await db.query(sql, params);
  await db.query('alter table audit_events enable trigger audit_events_append_only');
  await db.query('commit');
}
