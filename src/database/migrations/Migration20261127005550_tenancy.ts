import { Migration } from '@mikro-orm/migrations';

/**
 * Organizations, users and memberships, invitations and API keys, plus the database half of the
 * tenant boundary: the runtime role `atrium_app` (owns nothing, so row-level security binds it),
 * its grants, and RLS `ENABLE` + `FORCE` on every tenant-owned table. The org is read from the
 * transaction-local setting `app.org_id`; with none set, no tenant row is visible (fail closed).
 * `memberships_user_idx` is the one index not led by org_id: login finds a user's memberships
 * across organizations, under a policy that shows a user only their own.
 */
export class Migration20261127005550_tenancy extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "organizations" ("id" uuid not null, "name" text not null, "slug" text not null, "plan" text check ("plan" in ('free', 'pro', 'enterprise')) not null default 'free', "settings" jsonb not null default '{}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "organizations_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "organizations" add constraint "organizations_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "email" text not null, "name" text not null, "password_hash" text not null, "password_changed_at" timestamptz not null default now(), "last_login_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "memberships" ("id" uuid not null, "org_id" uuid not null, "user_id" uuid not null, "role" text check ("role" in ('owner', 'admin', 'member', 'viewer', 'auditor')) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "memberships_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "memberships_user_idx" on "memberships" ("user_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_org_user_unique" unique ("org_id", "user_id");`);

    this.addSql(
      `create table "invitations" ("id" uuid not null, "org_id" uuid not null, "email" text not null, "role" text check ("role" in ('owner', 'admin', 'member', 'viewer', 'auditor')) not null, "token_hash" text not null, "invited_by_id" uuid null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "invitations_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "invitations_org_email_idx" on "invitations" ("org_id", "email");`);
    this.addSql(`alter table "invitations" add constraint "invitations_org_token_unique" unique ("org_id", "token_hash");`);

    this.addSql(
      `create table "api_keys" ("id" uuid not null, "org_id" uuid not null, "created_by_id" uuid not null, "name" text not null, "scopes" text[] not null, "key_hash" text not null, "prefix" text not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_keys" add constraint "api_keys_org_hash_unique" unique ("org_id", "key_hash");`);

    this.addSql(
      `alter table "memberships" add constraint "memberships_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "invitations" add constraint "invitations_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "invitations" add constraint "invitations_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "api_keys" add constraint "api_keys_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'atrium_app') then create role atrium_app nologin; end if;
    end $$;`);
    this.addSql(`grant usage on schema public to atrium_app;`);
    this.addSql(`grant select on "mikro_orm_migrations" to atrium_app;`);
    this.addSql(`grant select, insert, update on "organizations", "users" to atrium_app;`);
    this.addSql(`grant select, insert, update, delete on "memberships", "invitations", "api_keys" to atrium_app;`);

    this.addSql(
      `create function app_current_org() returns uuid language sql stable as $$ select nullif(current_setting('app.org_id', true), '')::uuid $$;`,
    );
    this.addSql(
      `create function app_current_user() returns uuid language sql stable as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;`,
    );
    for (const table of ['memberships', 'invitations', 'api_keys']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
    }
    // A user scope (no org chosen yet) may read the user's own memberships, never change them.
    this.addSql(
      `create policy tenant_isolation on "memberships" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
    );
    this.addSql(`create policy own_memberships_readable on "memberships" for select
      using (app_current_org() is null and user_id = app_current_user());`);
    this.addSql(
      `create policy tenant_isolation on "invitations" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
    );
    this.addSql(`create policy tenant_isolation on "api_keys" using (org_id = app_current_org()) with check (org_id = app_current_org());`);
  }

  override async down(): Promise<void> {
    for (const table of ['memberships', 'invitations', 'api_keys']) this.addSql(`drop policy if exists tenant_isolation on "${table}";`);
    this.addSql(`drop policy if exists own_memberships_readable on "memberships";`);
    this.addSql(`drop function if exists app_current_org();`);
    this.addSql(`drop function if exists app_current_user();`);
    this.addSql(`alter table "memberships" drop constraint "memberships_org_id_foreign";`);

    this.addSql(`alter table "invitations" drop constraint "invitations_org_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_org_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_user_id_foreign";`);

    this.addSql(`alter table "invitations" drop constraint "invitations_invited_by_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_created_by_id_foreign";`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);

    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);
  }
}
