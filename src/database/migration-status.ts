import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';

/** Applies and reports migrations through the app's own ORM instance. */
@Injectable()
export class MigrationStatus {
  private readonly logger = new Logger(MigrationStatus.name);
  /** Once every migration this build knows is applied, it stays applied: no need to ask again. */
  private upToDate = false;

  constructor(private readonly orm: MikroORM) {}

  async applyPending(): Promise<void> {
    const applied = await this.orm.getMigrator().up();
    if (applied.length > 0) this.logger.log(`Applied ${applied.length} migration(s): ${applied.map((m) => m.name).join(', ')}`);
    this.upToDate = true;
  }

  async pendingCount(): Promise<number> {
    if (this.upToDate) return 0;
    const pending = await this.orm.getMigrator().getPendingMigrations();
    this.upToDate = pending.length === 0;
    return pending.length;
  }
}
