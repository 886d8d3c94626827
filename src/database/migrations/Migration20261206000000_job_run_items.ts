import { Migration } from '@mikro-orm/migrations';

/**
 * `job_run_items`: one row per organization of a fanned-out job run (src/compliance/jobs/
 * organization-fan-out.ts). The run's instance writes them all, then queues one work item per row
 * on the pg-boss queue; any instance works the queue. A row's `done` is written in the same
 * transaction as the org's work, so a redelivered item (a worker that died after its commit, a
 * timed-out item retried while the first attempt still ran) finds it done and its work rolls back:
 * each org's part of a run takes effect exactly once. Global like `job_runs` for the job runner
 * (no org set: it writes and reads every row); an org's transaction (role atrium_app, its org set)
 * sees and marks only that org's rows, like every table with an org_id.
 */
export class Migration20261206000000_job_run_items extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "job_run_items" (
      "run_id" uuid not null references "job_runs" ("id") on delete cascade,
      "org_id" uuid not null,
      "state" text not null default 'queued' check ("state" in ('queued', 'active', 'done', 'dead')),
      "attempts" integer not null default 0,
      "counts" jsonb null,
      "error" text null,
      "instance" text null,
      "updated_at" timestamptz not null default now(),
      primary key ("run_id", "org_id")
    );`);
    this.addSql(`alter table "job_runs" add column "items_total" integer null;`);
    this.addSql(`grant select, insert, update on "job_run_items" to atrium_app;`);
    this.addSql(`alter table "job_run_items" enable row level security;`);
    this.addSql(`alter table "job_run_items" force row level security;`);
    this.addSql(
      `create policy tenant_isolation on "job_run_items" using (app_current_org() is null or org_id = app_current_org())
       with check (app_current_org() is null or org_id = app_current_org());`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "job_run_items";`);
    this.addSql(`alter table "job_runs" drop column if exists "items_total";`);
  }
}
