import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { ResolvedConfig } from '../config';
import { installJobQueue } from './job-queue';
import { createOrmOptions } from './orm-options';

/**
 * Applies pending migrations as the schema owner, on a connection of its own. Applying needs no
 * entity metadata (only creating a migration does), so none is loaded. Then installs or upgrades
 * the job queue's schema (pg-boss's own, see job-queue.ts).
 */
export async function applyMigrations(config: ResolvedConfig): Promise<string[]> {
  const options = createOrmOptions(config, { entities: [] }, 'owner');
  // The committed snapshot is written when a migration is created, never as a side effect of
  // applying one (MikroORM would rewrite it from the live schema, in whatever order it reads it).
  const orm = await MikroORM.init({ ...options, migrations: { ...options.migrations, snapshot: false } });
  let applied: string[];
  try {
    applied = (await orm.getMigrator().up()).map((migration) => migration.name);
    if (applied.length > 0) new Logger('Migrations').log(`Applied ${applied.join(', ')}`);
  } finally {
    await orm.close(true);
  }
  await installJobQueue(config.database.url);
  return applied;
}
