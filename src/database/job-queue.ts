import { Logger } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { RUNTIME_DB_ROLE } from './orm-options';

/** pg-boss keeps its tables in a schema of their own, installed and upgraded with our migrations. */
export const JOB_QUEUE_SCHEMA = 'pgboss';
/** One item per organization of a fanned-out job run (src/platform/jobs/organization-fan-out.service.ts). */
export const ORGANIZATION_WORK_QUEUE = 'organization-work';
/** Where an item goes once its retries are spent: the run records the organization as failed. */
export const ORGANIZATION_WORK_DEAD_LETTER = 'organization-work-dead';
/**
 * One-off work started by a request (a privacy request, a closure export, a full audit
 * verification): `stately`, so one task per key is queued and one active at a time.
 */
export const BACKGROUND_TASKS_QUEUE = 'background-tasks';
export const BACKGROUND_TASKS_DEAD_LETTER = 'background-tasks-dead';

/**
 * Installs (or upgrades, for a newer pg-boss) the queue's schema and creates our queues, as the
 * schema owner alongside the migrations. Instances then start pg-boss with `migrate: false`: a
 * runtime login never needs DDL rights, and an instance on an older schema refuses to start
 * rather than change it under the others. Each queue is a partition pg-boss creates with DDL, so
 * the queues are made here too, never at run time.
 */
export async function installJobQueue(databaseUrl: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: JOB_QUEUE_SCHEMA,
    application_name: 'atrium-migrations',
    max: 1,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (error: Error) => new Logger('JobQueue').warn(`pg-boss: ${error.message}`));
  await boss.start();
  try {
    await boss.createQueue(ORGANIZATION_WORK_DEAD_LETTER, { name: ORGANIZATION_WORK_DEAD_LETTER });
    await boss.createQueue(ORGANIZATION_WORK_QUEUE, { name: ORGANIZATION_WORK_QUEUE, deadLetter: ORGANIZATION_WORK_DEAD_LETTER });
    await boss.createQueue(BACKGROUND_TASKS_DEAD_LETTER, { name: BACKGROUND_TASKS_DEAD_LETTER });
    await boss.createQueue(BACKGROUND_TASKS_QUEUE, {
      name: BACKGROUND_TASKS_QUEUE,
      policy: 'stately',
      deadLetter: BACKGROUND_TASKS_DEAD_LETTER,
    });
    // A runtime login that is a member of the app role works the queue without owning it.
    const db = boss.getDb();
    await db.executeSql(`grant usage on schema ${JOB_QUEUE_SCHEMA} to ${RUNTIME_DB_ROLE}`, []);
    await db.executeSql(`grant select, insert, update, delete on all tables in schema ${JOB_QUEUE_SCHEMA} to ${RUNTIME_DB_ROLE}`, []);
    await db.executeSql(`grant execute on all functions in schema ${JOB_QUEUE_SCHEMA} to ${RUNTIME_DB_ROLE}`, []);
  } finally {
    await boss.stop({ graceful: false, close: true, wait: true });
  }
}
