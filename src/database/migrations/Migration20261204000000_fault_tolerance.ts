import { Migration } from '@mikro-orm/migrations';

/**
 * Two small global tables for surviving dependency faults.
 *
 * - `cache_invalidation_backlog`: a cache-version bump that could not be written to Redis (hung,
 *   unreachable) is recorded here, and every instance refuses cached reads for that scope until
 *   one of them has applied it to Redis (src/caching/invalidation-backlog.ts). The scope is an
 *   org id kept as text under another name on purpose: the table holds no tenant data, and every
 *   instance must see every row, so it is not one of the RLS-bound `org_id` tables.
 * - `job_leases`: a job's lock as a lease with an expiry, renewed by the running instance's
 *   heartbeat (src/compliance/jobs/job-lease.ts), instead of an idle transaction held for the run;
 *   `skipped_through` makes one instance count a tick skipped because the previous run still held it.
 */
export class Migration20261204000000_fault_tolerance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "cache_invalidation_backlog" (
      "id" bigint generated always as identity primary key,
      "cache_scope" text not null,
      "resources" text[] not null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create table "job_leases" (
      "job" text not null primary key,
      "holder" text not null,
      "run_id" uuid not null,
      "scheduled_for" timestamptz null,
      "acquired_at" timestamptz not null default now(),
      "expires_at" timestamptz not null,
      "skipped_through" timestamptz null
    );`);
    this.addSql(`grant select, insert, delete on "cache_invalidation_backlog" to atrium_app;`);
    this.addSql(`grant select, insert, update, delete on "job_leases" to atrium_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_leases";`);
    this.addSql(`drop table if exists "cache_invalidation_backlog";`);
  }
}
