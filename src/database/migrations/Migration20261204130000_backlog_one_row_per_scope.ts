import { Migration } from '@mikro-orm/migrations';

/**
 * One invalidation-backlog row per cache scope instead of one per write: a long Redis outage under
 * write load would otherwise pile up rows faster than a bounded read can drain them, and every
 * instance must see all pending scopes in each poll (src/caching/invalidation-backlog.ts).
 *
 * Writers upsert on `cache_scope`, merging their resources into the row; `revision` grows with each
 * merge, so an instance that applied a row deletes it only if no write merged into it meanwhile.
 * `created_at` stays the oldest pending write's time (the age gauge reads it).
 */
export class Migration20261204130000_backlog_one_row_per_scope extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "cache_invalidation_backlog_merged" as
      select "cache_scope", array_agg(distinct r) as "resources", min("created_at") as "created_at"
      from "cache_invalidation_backlog", unnest("resources") as r group by "cache_scope";`);
    this.addSql(`delete from "cache_invalidation_backlog";`);
    this.addSql(`alter table "cache_invalidation_backlog" add column "revision" bigint not null default 1;`);
    this.addSql(`insert into "cache_invalidation_backlog" ("cache_scope", "resources", "created_at")
      select "cache_scope", "resources", "created_at" from "cache_invalidation_backlog_merged";`);
    this.addSql(`drop table "cache_invalidation_backlog_merged";`);
    this.addSql(
      `alter table "cache_invalidation_backlog" add constraint "cache_invalidation_backlog_cache_scope_unique" unique ("cache_scope");`,
    );
    this.addSql(`grant update on "cache_invalidation_backlog" to atrium_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`revoke update on "cache_invalidation_backlog" from atrium_app;`);
    this.addSql(`alter table "cache_invalidation_backlog" drop constraint "cache_invalidation_backlog_cache_scope_unique";`);
    this.addSql(`alter table "cache_invalidation_backlog" drop column "revision";`);
  }
}
