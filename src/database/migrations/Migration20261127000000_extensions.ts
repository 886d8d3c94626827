import { Migration } from '@mikro-orm/migrations';

/** Extensions the schema relies on: pg_trgm backs the contact search index. */
export class Migration20261127000000_extensions extends Migration {
  override async up(): Promise<void> {
    this.addSql('create extension if not exists pg_trgm;');
  }

  override async down(): Promise<void> {
    this.addSql('drop extension if exists pg_trgm;');
  }
}
