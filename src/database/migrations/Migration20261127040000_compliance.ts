import { Migration } from '@mikro-orm/migrations';

const TENANT_TABLES = [
  'audit_events',
  'audit_chain_heads',
  'audit_checkpoints',
  'privacy_requests',
  'retention_policies',
  'legal_holds',
  'retention_runs',
];

/**
 * The compliance schema, written by hand (these tables are reached through SQL, not the ORM):
 *
 * - `audit_events`: the append-only, per-org hash-chained audit log. The runtime role may only
 *   read and insert; a trigger refuses UPDATE, DELETE and TRUNCATE from anyone, except deletes of
 *   the oldest prefix through `audit_prune()`, which retention and offboarding use and which
 *   records where the surviving chain starts (`audit_chain_heads.pruned_through_*`).
 * - `audit_chain_heads`: the last seq and hash per org; its row lock serialises appends per org.
 * - `audit_checkpoints`: Ed25519-signed (org, seq, hash) so that deleting the newest rows shows.
 * - `privacy_requests`, `retention_policies`, `legal_holds`, `retention_runs`: GDPR requests and
 *   retention, tenant-owned under RLS like every other tenant table.
 * - `job_runs` and `signing_keys` are global: jobs span orgs, and one key signs for the cluster.
 */
export class Migration20261127040000_compliance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "audit_events" (
      "org_id" uuid not null,
      "seq" bigint not null,
      "id" uuid not null,
      "occurred_at" timestamptz not null,
      "actor_type" text not null check ("actor_type" in ('user', 'api_key', 'system', 'anonymous')),
      "actor_id" text null,
      "action" text not null,
      "target_type" text null,
      "target_id" text null,
      "outcome" text not null check ("outcome" in ('success', 'failure', 'denied')),
      "request_id" text null,
      "ip" text null,
      "changed_fields" text[] not null default '{}',
      "details" jsonb not null default '{}',
      "prev_hash" text not null,
      "hash" text not null,
      constraint "audit_events_pkey" primary key ("org_id", "seq"),
      constraint "audit_events_id_unique" unique ("id")
    );`);
    this.addSql(`create index "audit_events_org_action_idx" on "audit_events" ("org_id", "action", "seq");`);
    this.addSql(`create index "audit_events_org_actor_idx" on "audit_events" ("org_id", "actor_id", "seq");`);
    this.addSql(`create index "audit_events_org_target_idx" on "audit_events" ("org_id", "target_id", "seq");`);
    this.addSql(`create index "audit_events_org_time_idx" on "audit_events" ("org_id", "occurred_at");`);
    // References the org: a late append for a deleted org fails instead of starting a new chain.
    this.addSql(`create table "audit_chain_heads" (
      "org_id" uuid not null primary key references "organizations" ("id") on update cascade on delete cascade,
      "last_seq" bigint not null default 0,
      "last_hash" text not null,
      "pruned_through_seq" bigint not null default 0,
      "pruned_through_hash" text not null
    );`);
    this.addSql(`create table "audit_checkpoints" (
      "org_id" uuid not null,
      "seq" bigint not null,
      "hash" text not null,
      "signed_at" timestamptz not null default now(),
      "key_id" text not null,
      "signature" text not null,
      constraint "audit_checkpoints_pkey" primary key ("org_id", "seq")
    );`);

    // Append-only: no UPDATE, no TRUNCATE, and DELETE only through audit_prune() below.
    this.addSql(`create function audit_events_refuse_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('atrium.audit_prune', true) = 'on' and current_user <> 'atrium_app' then
        return old;
      end if;
      raise exception 'audit_events is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$;`);
    this.addSql(`create trigger audit_events_append_only before update or delete on "audit_events"
      for each row execute function audit_events_refuse_change();`);
    this.addSql(`create trigger audit_events_no_truncate before truncate on "audit_events"
      for each statement execute function audit_events_refuse_change();`);
    // Deletes the oldest events of the caller's own org up to a seq and records where the chain
    // now starts, so /verify still checks from there. Runs as the owner (security definer) but
    // only for the org the calling transaction is bound to.
    this.addSql(`create function audit_prune(p_org uuid, p_through_seq bigint) returns bigint
    language plpgsql security definer set search_path = public, pg_temp as $$
    declare
      v_hash text;
      v_deleted bigint;
    begin
      if p_org is distinct from app_current_org() then
        raise exception 'audit_prune: not the current organization' using errcode = 'insufficient_privilege';
      end if;
      select hash into v_hash from audit_events where org_id = p_org and seq = p_through_seq;
      if v_hash is null then return 0; end if;
      perform set_config('atrium.audit_prune', 'on', true);
      delete from audit_events where org_id = p_org and seq <= p_through_seq;
      get diagnostics v_deleted = row_count;
      perform set_config('atrium.audit_prune', 'off', true);
      update audit_chain_heads set pruned_through_seq = p_through_seq, pruned_through_hash = v_hash
        where org_id = p_org and pruned_through_seq < p_through_seq;
      return v_deleted;
    end $$;`);
    this.addSql(`revoke all on function audit_prune(uuid, bigint) from public;`);
    this.addSql(`grant execute on function audit_prune(uuid, bigint) to atrium_app;`);

    this.addSql(`create table "privacy_requests" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "type" text not null check ("type" in ('access', 'erasure')),
      "status" text not null default 'pending' check ("status" in ('pending', 'in_progress', 'completed', 'rejected')),
      "subject_email" text null,
      "subject_hash" text not null,
      "received_at" timestamptz not null default now(),
      "due_at" timestamptz not null,
      "extended_due_at" timestamptz null,
      "extension_reason" text null,
      "requested_by_type" text not null,
      "requested_by_id" text null,
      "started_at" timestamptz null,
      "completed_at" timestamptz null,
      "rejection_reason" text null,
      "result" jsonb not null default '{}',
      "export" jsonb null,
      "export_expires_at" timestamptz null,
      "certificate" jsonb null,
      "certificate_signature" text null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()
    );`);
    this.addSql(`create index "privacy_requests_org_idx" on "privacy_requests" ("org_id", "id");`);
    this.addSql(`create index "privacy_requests_org_status_idx" on "privacy_requests" ("org_id", "status", "due_at");`);
    this.addSql(`create index "privacy_requests_org_subject_idx" on "privacy_requests" ("org_id", "subject_hash");`);

    this.addSql(`create table "retention_policies" (
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "category" text not null,
      "duration_days" integer not null check ("duration_days" between 1 and 36500),
      "action" text not null check ("action" in ('delete', 'anonymise')),
      "updated_at" timestamptz not null default now(),
      "updated_by" text null,
      constraint "retention_policies_pkey" primary key ("org_id", "category")
    );`);
    this.addSql(`create table "legal_holds" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "scope" text not null check ("scope" in ('organization', 'contact', 'category')),
      "contact_id" uuid null,
      "category" text null,
      "reason" text not null,
      "created_by" text null,
      "created_at" timestamptz not null default now(),
      "released_at" timestamptz null,
      "released_by" text null,
      constraint "legal_holds_scope_target" check (
        ("scope" = 'organization' and "contact_id" is null and "category" is null)
        or ("scope" = 'contact' and "contact_id" is not null and "category" is null)
        or ("scope" = 'category' and "category" is not null and "contact_id" is null))
    );`);
    this.addSql(`create index "legal_holds_org_idx" on "legal_holds" ("org_id", "id");`);
    // A contact under an active hold (its own, or the whole org's) cannot be deleted by any path:
    // the API, a script, a cascade. SQLSTATE 'AT409' lets the app answer 409 instead of 500.
    this.addSql(`create function contacts_refuse_held_delete() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from legal_holds h where h.org_id = old.org_id and h.released_at is null
                 and (h.scope = 'organization' or (h.scope = 'contact' and h.contact_id = old.id))) then
        raise exception 'contact % is under a legal hold', old.id using errcode = 'AT409';
      end if;
      return old;
    end $$;`);
    this.addSql(
      `create trigger contacts_legal_hold before delete on "contacts" for each row execute function contacts_refuse_held_delete();`,
    );
    this.addSql(`create table "retention_runs" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "job_run_id" uuid null,
      "started_at" timestamptz not null,
      "finished_at" timestamptz null,
      "outcome" text not null check ("outcome" in ('running', 'succeeded', 'failed')),
      "counts" jsonb not null default '{}',
      "duration_ms" integer null,
      "error" text null
    );`);
    this.addSql(`create index "retention_runs_org_idx" on "retention_runs" ("org_id", "started_at");`);

    this.addSql(`create table "job_runs" (
      "id" uuid not null primary key,
      "job" text not null,
      "trigger" text not null check ("trigger" in ('schedule', 'manual')),
      "scheduled_for" timestamptz null,
      "instance" text not null,
      "started_at" timestamptz not null default now(),
      "finished_at" timestamptz null,
      "outcome" text not null default 'running' check ("outcome" in ('running', 'succeeded', 'failed')),
      "counts" jsonb not null default '{}',
      "error" text null,
      constraint "job_runs_tick_unique" unique ("job", "scheduled_for")
    );`);
    this.addSql(`create index "job_runs_job_started_idx" on "job_runs" ("job", "started_at");`);
    this.addSql(`create table "signing_keys" (
      "id" text not null primary key,
      "algorithm" text not null default 'ed25519',
      "public_key" text not null,
      "private_key" text null,
      "created_at" timestamptz not null default now()
    );`);

    this.addSql(`grant select, insert on "audit_events", "audit_checkpoints" to atrium_app;`);
    this.addSql(`grant select, insert, update on "audit_chain_heads", "retention_runs", "job_runs" to atrium_app;`);
    this.addSql(`grant select, insert, update, delete on "privacy_requests", "retention_policies", "legal_holds" to atrium_app;`);
    this.addSql(`grant select, insert on "signing_keys" to atrium_app;`);
    for (const table of TENANT_TABLES) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy tenant_isolation on "${table}" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['job_runs', 'signing_keys', ...TENANT_TABLES]) this.addSql(`drop table if exists "${table}" cascade;`);
    this.addSql(`drop function if exists audit_prune(uuid, bigint);`);
    this.addSql(`drop function if exists audit_events_refuse_change();`);
    this.addSql(`drop trigger if exists contacts_legal_hold on "contacts";`);
    this.addSql(`drop function if exists contacts_refuse_held_delete();`);
  }
}
