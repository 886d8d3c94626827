export { DatabaseModule } from './database.module';
export { MigrationStatus } from './migration-status';
export { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
export { createOrmOptions } from './orm-options';
