import { Migration } from '@mikro-orm/migrations';

const TABLES = ['scim_tokens', 'scim_users', 'scim_groups', 'scim_group_members'] as const;

/**
 * SCIM 2.0 provisioning (src/tenancy/scim), every table tenant-owned with RLS like the others:
 *
 * - `scim_tokens`: the per-org bearer tokens an identity provider provisions with; stored as the
 *   SHA-256 of the token (256-bit random, so a fast hash is as strong as a slow one), never in clear.
 * - `scim_users`: the org's SCIM link to a user: their `externalId`, whether this org's
 *   provisioning created the account (only then may it rename it or change its email), and the
 *   deactivation. A deactivated user has no membership (their access is gone); this row keeps the
 *   SCIM identity so the provider can read it back or reactivate it. Names and emails stay on
 *   `users`: no second copy of personal data.
 * - `scim_groups` (an optional Atrium role each group confers) and `scim_group_members`.
 */
export class Migration20261206110000_scim extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "scim_tokens" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "name" text not null,
      "token_hash" text not null,
      "prefix" text not null,
      "created_by_id" uuid null references "users" ("id") on update cascade on delete set null,
      "expires_at" timestamptz null,
      "last_used_at" timestamptz null,
      "revoked_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      constraint "scim_tokens_org_hash_unique" unique ("org_id", "token_hash")
    );`);
    this.addSql(`create index "scim_tokens_created_by_idx" on "scim_tokens" ("created_by_id");`);

    this.addSql(`create table "scim_users" (
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "user_id" uuid not null references "users" ("id") on update cascade on delete cascade,
      "external_id" text null,
      "created_account" boolean not null default false,
      "active" boolean not null default true,
      "deactivated_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      constraint "scim_users_pkey" primary key ("org_id", "user_id")
    );`);
    this.addSql(`create index "scim_users_org_external_idx" on "scim_users" ("org_id", "external_id");`);
    this.addSql(`create index "scim_users_user_idx" on "scim_users" ("user_id");`);

    this.addSql(`create table "scim_groups" (
      "id" uuid not null primary key,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "display_name" text not null,
      "external_id" text null,
      "role" text null check ("role" in ('admin', 'member', 'viewer', 'auditor')),
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now()
    );`);
    this.addSql(`create unique index "scim_groups_org_display_name_unique" on "scim_groups" ("org_id", lower("display_name"));`);
    this.addSql(`create index "scim_groups_org_external_idx" on "scim_groups" ("org_id", "external_id");`);

    this.addSql(`create table "scim_group_members" (
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "group_id" uuid not null references "scim_groups" ("id") on update cascade on delete cascade,
      "user_id" uuid not null references "users" ("id") on update cascade on delete cascade,
      "created_at" timestamptz not null default now(),
      constraint "scim_group_members_pkey" primary key ("org_id", "group_id", "user_id")
    );`);
    this.addSql(`create index "scim_group_members_user_idx" on "scim_group_members" ("org_id", "user_id");`);
    this.addSql(`create index "scim_group_members_group_idx" on "scim_group_members" ("group_id");`);

    this.addSql(`grant select, insert, update, delete on ${TABLES.map((table) => `"${table}"`).join(', ')} to atrium_app;`);
    for (const table of TABLES) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy tenant_isolation on "${table}" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of [...TABLES].reverse()) this.addSql(`drop table if exists "${table}" cascade;`);
  }
}
