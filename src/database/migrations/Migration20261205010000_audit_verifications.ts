import { Migration } from '@mikro-orm/migrations';

/**
 * `audit_verifications`: a full re-verification of an org's audit chain from its start, run in the
 * background (src/compliance/audit/audit-verifications.service.ts). Progress (the last verified
 * point) is saved after every batch, so a run whose instance died resumes where it stopped once
 * its lease runs out; the outcome is signed with the compliance signing key.
 */
export class Migration20261205010000_audit_verifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "audit_verifications" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "requested_by_type" text not null,
      "requested_by_id" text null,
      "status" text not null default 'queued' check ("status" in ('queued', 'running', 'succeeded', 'failed')),
      "created_at" timestamptz not null default now(),
      "started_at" timestamptz null,
      "finished_at" timestamptz null,
      "lease_until" timestamptz null,
      "attempts" integer not null default 0,
      "from_seq" bigint null,
      "from_hash" text null,
      "through_seq" bigint null,
      "through_hash" text null,
      "position_seq" bigint null,
      "position_hash" text null,
      "checked" bigint not null default 0,
      "valid" boolean null,
      "first_broken_seq" bigint null,
      "error" text null,
      "signed_payload" text null,
      "key_id" text null,
      "signature" text null
    );`);
    this.addSql(`create index "audit_verifications_org_idx" on "audit_verifications" ("org_id", "id");`);
    // At most one open run per org (a second request gets 409); the pick-up job finds it through this too.
    this.addSql(
      `create unique index "audit_verifications_one_open" on "audit_verifications" ("org_id") where "status" in ('queued', 'running');`,
    );
    this.addSql(`grant select, insert, update on "audit_verifications" to atrium_app;`);
    this.addSql(`alter table "audit_verifications" enable row level security;`);
    this.addSql(`alter table "audit_verifications" force row level security;`);
    this.addSql(
      `create policy tenant_isolation on "audit_verifications" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_verifications";`);
  }
}
