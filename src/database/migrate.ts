import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { ResolvedConfig } from '../config';
import { createOrmOptions } from './orm-options';

/**
 * Applies pending migrations as the schema owner, on a connection of its own. Applying needs no
 * entity metadata (only creating a migration does), so none is loaded.
 */
export async function applyMigrations(config: ResolvedConfig): Promise<string[]> {
  const orm = await MikroORM.init(createOrmOptions(config, { entities: [] }, 'owner'));
  try {
    const applied = await orm.getMigrator().up();
    if (applied.length > 0) new Logger('Migrations').log(`Applied ${applied.map((m) => m.name).join(', ')}`);
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
