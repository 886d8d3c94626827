import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { Migrator } from '@mikro-orm/migrations';
import { EntityClass, EventSubscriber, Options, defineConfig } from '@mikro-orm/postgresql';
import { ResolvedConfig } from '../config';

const ormLogger = new Logger('MikroORM');

// src/database when run from sources (tests), dist/src/database when compiled.
const PROJECT_ROOT = resolve(__dirname, __filename.endsWith('.ts') ? '../..' : '../../..');

/**
 * The role every application connection acts as. It owns no table, so PostgreSQL row-level
 * security applies to it. Migrations create it and grant it table by table; they run as the
 * owner (the user in DATABASE_URL), which the runtime never does.
 */
export const RUNTIME_DB_ROLE = 'atrium_app';

export interface OrmModel {
  readonly entities: readonly EntityClass<object>[];
  readonly filters?: Options['filters'];
  readonly subscribers?: readonly EventSubscriber[];
}

/**
 * MikroORM options for the app (`runtime`: connections switch to the runtime role at startup) and
 * for migrations (`owner`). Compiled code runs the compiled migrations next to this file; the
 * TypeScript tests run the sources.
 */
export function createOrmOptions(config: ResolvedConfig, model: OrmModel, purpose: 'runtime' | 'owner'): Options {
  const { database } = config;
  return defineConfig({
    clientUrl: database.url,
    entities: [...model.entities],
    filters: model.filters,
    subscribers: [...(model.subscribers ?? [])],
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: database.pool.min, max: database.pool.max, idleTimeoutMillis: database.pool.idleTimeoutMs },
    driverOptions: {
      // A failed statement's message names its SQL with placeholders, never the bound values:
      // those can be personal data (an erasure's search terms) and error messages reach logs.
      compileSqlOnError: false,
      connection: {
        statement_timeout: database.statementTimeoutMs,
        application_name: purpose === 'runtime' ? 'atrium' : 'atrium-migrations',
        ...(purpose === 'runtime' ? { options: `-c role=${RUNTIME_DB_ROLE}` } : {}),
      },
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: join(__dirname, 'migrations'),
      pathTs: join(PROJECT_ROOT, 'src', 'database', 'migrations'),
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshotName: '.snapshot-atrium',
      // The compliance tables have no entities (they are reached through SQL): a generated
      // migration must never propose dropping them.
      dropTables: false,
    },
    // Tests run from TypeScript sources and must run the TypeScript migrations.
    preferTs: __filename.endsWith('.ts'),
    debug: false,
    logger: (message: string) => ormLogger.debug(message),
  });
}
