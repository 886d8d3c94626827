import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** Whether every migration this build knows is applied (readiness). */
@Injectable()
export class MigrationStatus {
  /** Once every migration this build knows is applied, it stays applied: no need to ask again. */
  private upToDate = false;

  constructor(private readonly orm: MikroORM) {}

  async pendingCount(): Promise<number> {
    if (this.upToDate) return 0;
    const pending = await this.orm.getMigrator().getPendingMigrations();
    this.upToDate = pending.length === 0;
    return pending.length;
  }
}
