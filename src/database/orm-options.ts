import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { Migrator } from '@mikro-orm/migrations';
import { Options, defineConfig } from '@mikro-orm/postgresql';
import { ResolvedConfig } from '../config';
import { ENTITIES } from './entities';

const ormLogger = new Logger('MikroORM');

// src/database when run from sources (tests), dist/src/database when compiled.
const PROJECT_ROOT = resolve(__dirname, __filename.endsWith('.ts') ? '../..' : '../../..');

/**
 * MikroORM options for the app, the migration CLI and the tests alike.
 * Compiled code runs the compiled migrations next to this file; TypeScript (tests) runs the sources.
 */
export function createOrmOptions(config: ResolvedConfig): Options {
  const { database } = config;
  return defineConfig({
    clientUrl: database.url,
    entities: [...ENTITIES],
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: database.pool.min, max: database.pool.max, idleTimeoutMillis: database.pool.idleTimeoutMs },
    driverOptions: {
      connection: { statement_timeout: database.statementTimeoutMs, application_name: 'atrium' },
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
    },
    // Tests run from TypeScript sources and must run the TypeScript migrations.
    preferTs: __filename.endsWith('.ts'),
    debug: false,
    logger: (message: string) => ormLogger.debug(message),
  });
}
