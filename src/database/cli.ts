import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, withDatabaseUrl } from '../config';
import { createNestLogger, createRootLogger } from '../monitoring';
import { startEmbeddedPostgres } from './embedded-postgres';
import { installJobQueue } from './job-queue';
import { createOrmOptions } from './orm-options';
import { ORM_MODEL } from '../orm-model';

const USAGE = 'usage: cli.js up | down | pending | create [--initial] [--blank] [--name NAME]';

/**
 * The explicit migration step (`npm run migration:*`). Without DATABASE_URL it works on the
 * embedded PostgreSQL, exactly like `npm start`.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...flags] = argv;
  const config = loadConfig();
  Logger.overrideLogger(createNestLogger(createRootLogger(config.log.level === 'warn' ? 'info' : config.log.level)));
  const logger = new Logger('Migrations');
  const embedded =
    config.database.mode === 'embedded' ? await startEmbeddedPostgres({ ...config.database.embedded, database: 'atrium' }) : undefined;
  const databaseUrl = embedded?.url ?? (config.database.url as string);
  const options = createOrmOptions(withDatabaseUrl(config, databaseUrl), ORM_MODEL, 'owner');
  // The committed snapshot is written when a migration is created, never as a side effect of applying
  // or reverting one (MikroORM would rewrite it from whatever database this runs against).
  const orm = await MikroORM.init(command === 'create' ? options : { ...options, migrations: { ...options.migrations, snapshot: false } });
  try {
    const migrator = orm.getMigrator();
    switch (command) {
      case 'up': {
        const applied = await migrator.up();
        logger.log(applied.length ? `Applied: ${applied.map((m) => m.name).join(', ')}` : 'Nothing to apply');
        // The queue's schema is pg-boss's own, installed and upgraded with ours (as at start-up).
        await installJobQueue(databaseUrl);
        break;
      }
      case 'down': {
        const reverted = await migrator.down();
        logger.log(reverted.length ? `Reverted: ${reverted.map((m) => m.name).join(', ')}` : 'Nothing to revert');
        break;
      }
      case 'pending': {
        const pending = await migrator.getPendingMigrations();
        logger.log(pending.length ? `Pending: ${pending.map((m) => m.name).join(', ')}` : 'No pending migrations');
        process.exitCode = pending.length ? 2 : 0;
        break;
      }
      case 'create': {
        const nameIndex = flags.indexOf('--name');
        const name = nameIndex >= 0 ? flags[nameIndex + 1] : undefined;
        const result = await migrator.createMigration(undefined, flags.includes('--blank'), flags.includes('--initial'), name);
        logger.log(result.fileName ? `Created ${result.fileName}` : 'The schema matches the entities: no migration needed');
        break;
      }
      default:
        throw new Error(USAGE);
    }
  } finally {
    await orm.close(true);
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
