export { DatabaseModule } from './database.module';
export { MigrationStatus } from './migration-status';
export { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
export { applyMigrations } from './migrate';
export { OrmModel, RUNTIME_DB_ROLE, createOrmOptions } from './orm-options';
export { DemoCredentials, seedDemo } from './seed/demo-seed';
export {
  BACKGROUND_TASKS_DEAD_LETTER,
  BACKGROUND_TASKS_QUEUE,
  JOB_QUEUE_SCHEMA,
  ORGANIZATION_WORK_DEAD_LETTER,
  ORGANIZATION_WORK_QUEUE,
} from './job-queue';
