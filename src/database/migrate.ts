import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { ResolvedConfig } from '../config';
import { createOrmOptions } from './orm-options';

/**
 * Applies pending migrations as the schema owner, on a connection of its own. Applying needs no
 * entity metadata (only creating a migration does), so none is loaded.
 */
export async function applyMigrations(config: ResolvedConfig): Promise<string[]> {
  const options = createOrmOptions(config, { entities: [] }, 'owner');
  // The committed snapshot is written when a migration is created, never as a side effect of
  // applying one (MikroORM would rewrite it from the live schema, in whatever order it reads it).
  const orm = await MikroORM.init({ ...options, migrations: { ...options.migrations, snapshot: false } });
  try {
    const applied = await orm.getMigrator().up();
    if (applied.length > 0) new Logger('Migrations').log(`Applied ${applied.map((m) => m.name).join(', ')}`);
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
