import { Migration } from '@mikro-orm/migrations';

const TENANT_TABLES = ['compliance_evidence', 'compliance_reports', 'compliance_report_files', 'organization_closures'];

/**
 * SOC 2 evidence, signed compliance reports and tenant offboarding, reached through SQL like the
 * rest of the compliance schema.
 *
 * - `compliance_evidence`: one row per check, org and period, with its population and exceptions
 *   and the SHA-256 of its canonical payload.
 * - `compliance_reports` + `compliance_report_files`: a report bundle (PDF, CSV, JSON, manifest)
 *   with the Ed25519 signature of its manifest.
 * - `organization_closures`: an owner's request to close the org (Art. 28(3)(g)): export, grace
 *   period, then deletion. `deletion_certificates` is global on purpose: it must outlive the org.
 * - `purge_organization()`: deletes every row of one org, audit chain included, as the owner of
 *   the tables; callable by the runtime role only for the org its transaction is bound to.
 */
export class Migration20261127050000_compliance_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "compliance_evidence" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "check_id" text not null,
      "check_version" integer not null,
      "criteria" text[] not null,
      "period_start" timestamptz not null,
      "period_end" timestamptz not null,
      "collected_at" timestamptz not null default now(),
      "source" text not null,
      "query_params" jsonb not null default '{}',
      "population_count" integer not null,
      "result" text not null check ("result" in ('pass', 'fail', 'exceptions')),
      "population" jsonb not null default '[]',
      "exceptions" jsonb not null default '[]',
      "summary" jsonb not null default '{}',
      "payload_sha256" text not null,
      "job_run_id" uuid null
    );`);
    this.addSql(`create index "compliance_evidence_org_idx" on "compliance_evidence" ("org_id", "id");`);
    this.addSql(`create index "compliance_evidence_org_check_idx" on "compliance_evidence" ("org_id", "check_id", "collected_at");`);

    this.addSql(`create table "compliance_reports" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "kind" text not null check ("kind" in ('monthly', 'on_demand')),
      "period_start" timestamptz not null,
      "period_end" timestamptz not null,
      "status" text not null default 'pending' check ("status" in ('pending', 'generating', 'ready', 'failed')),
      "requested_by" text null,
      "created_at" timestamptz not null default now(),
      "generated_at" timestamptz null,
      "manifest" jsonb null,
      "manifest_signature" text null,
      "key_id" text null,
      "summary" jsonb not null default '{}',
      "error" text null
    );`);
    this.addSql(`create index "compliance_reports_org_idx" on "compliance_reports" ("org_id", "id");`);
    // One monthly report per org and period, however many instances run the schedule.
    this.addSql(
      `create unique index "compliance_reports_monthly_unique" on "compliance_reports" ("org_id", "period_start") where "kind" = 'monthly';`,
    );
    this.addSql(`create table "compliance_report_files" (
      "report_id" uuid not null references "compliance_reports" ("id") on update cascade on delete cascade,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "name" text not null,
      "content_type" text not null,
      "content" bytea not null,
      "sha256" text not null,
      constraint "compliance_report_files_pkey" primary key ("report_id", "name")
    );`);
    this.addSql(`create index "compliance_report_files_org_idx" on "compliance_report_files" ("org_id", "report_id");`);

    this.addSql(`create table "organization_closures" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "requested_by" uuid not null,
      "requested_at" timestamptz not null default now(),
      "grace_until" timestamptz not null,
      "status" text not null default 'pending' check ("status" in ('pending', 'export_ready', 'cancelled')),
      "export" bytea null,
      "export_sha256" text null,
      "export_ready_at" timestamptz null,
      "cancelled_at" timestamptz null,
      "certificate_id" uuid not null
    );`);
    this.addSql(
      `create unique index "organization_closures_open_unique" on "organization_closures" ("org_id") where "status" <> 'cancelled';`,
    );
    // Not a tenant table (no org_id, no RLS): the org it names no longer exists.
    this.addSql(`create table "deletion_certificates" (
      "id" uuid not null primary key,
      "closed_org_id" uuid not null,
      "certificate" jsonb not null,
      "signature" text not null,
      "key_id" text not null,
      "created_at" timestamptz not null default now()
    );`);

    this.addSql(`create function purge_organization(p_org uuid) returns jsonb
    language plpgsql security definer set search_path = public, pg_temp as $$
    declare
      v_table text;
      v_count bigint;
      v_counts jsonb := '{}';
      v_members uuid[];
      v_user uuid;
      v_alone uuid[] := '{}';
    begin
      if p_org is distinct from app_current_org() then
        raise exception 'purge_organization: not the current organization' using errcode = 'insufficient_privilege';
      end if;
      select coalesce(array_agg(user_id), '{}') into v_members from memberships where org_id = p_org;
      perform set_config('atrium.audit_prune', 'on', true);
      for v_table in
        select c.table_name from information_schema.columns c
        join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
        where c.table_schema = 'public' and c.column_name = 'org_id' and t.table_type = 'BASE TABLE'
        order by c.table_name
      loop
        execute format('delete from %I where org_id = $1', v_table) using p_org;
        get diagnostics v_count = row_count;
        v_counts := v_counts || jsonb_build_object(v_table, v_count);
      end loop;
      perform set_config('atrium.audit_prune', 'off', true);
      -- Accounts that belonged to this org alone go with it. Row-level security shows a user's
      -- other memberships only under that user's own scope, so each is checked that way.
      foreach v_user in array v_members loop
        perform set_config('app.org_id', '', true);
        perform set_config('app.user_id', v_user::text, true);
        if not exists (select 1 from memberships where user_id = v_user) then v_alone := v_alone || v_user; end if;
      end loop;
      perform set_config('app.user_id', '', true);
      perform set_config('app.org_id', p_org::text, true);
      delete from users where id = any(v_alone);
      get diagnostics v_count = row_count;
      v_counts := v_counts || jsonb_build_object('users', v_count);
      delete from organizations where id = p_org;
      get diagnostics v_count = row_count;
      v_counts := v_counts || jsonb_build_object('organizations', v_count);
      return v_counts;
    end $$;`);
    this.addSql(`revoke all on function purge_organization(uuid) from public;`);
    this.addSql(`grant execute on function purge_organization(uuid) to atrium_app;`);

    this.addSql(`grant select, insert, update on "compliance_evidence", "compliance_reports", "organization_closures" to atrium_app;`);
    this.addSql(`grant select, insert, update, delete on "compliance_report_files" to atrium_app;`);
    this.addSql(`grant select, insert on "deletion_certificates" to atrium_app;`);
    for (const table of TENANT_TABLES) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy tenant_isolation on "${table}" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists purge_organization(uuid);`);
    for (const table of [
      'deletion_certificates',
      'organization_closures',
      'compliance_report_files',
      'compliance_reports',
      'compliance_evidence',
    ]) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
