import { Migration } from '@mikro-orm/migrations';

/**
 * Single sign-on (src/tenancy/sso): one connection per organization (its client secret sealed,
 * never in clear), the email domains organizations claim and verify through DNS, and which user
 * an identity provider's subject is. All three are tenant tables under row-level security like the
 * others. A verified domain is a public fact (it is in DNS) that sign-in needs before any
 * organization is known (routing `?email=` to its organization, refusing password sign-in where
 * SSO is enforced): a scope with no org set may read the verified rows of `sso_domains`, never the
 * pending ones, and may change none. A domain is verified by at most one organization: a unique
 * index over the verified rows, which holds across tenants whatever RLS shows the writer (it is
 * not led by org_id, by its nature: it is the one cross-tenant rule of this table).
 */
export class Migration20261206120000_sso extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "sso_connections" (
      "id" uuid not null,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "type" text not null check ("type" in ('oidc')),
      "settings" jsonb not null,
      "secret_sealed" text not null,
      "enabled" boolean not null,
      "enforced" boolean not null,
      "jit_provisioning" boolean not null,
      "default_role" text not null check ("default_role" in ('owner', 'admin', 'member', 'viewer', 'auditor')),
      "role_claim" text null,
      "role_mappings" jsonb not null default '[]',
      "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(),
      constraint "sso_connections_pkey" primary key ("id"),
      constraint "sso_connections_org_unique" unique ("org_id")
    );`);

    this.addSql(`create table "sso_domains" (
      "id" uuid not null,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "domain" text not null,
      "verification_token" text not null,
      "verified_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      constraint "sso_domains_pkey" primary key ("id"),
      constraint "sso_domains_org_domain_unique" unique ("org_id", "domain")
    );`);
    this.addSql(`create unique index "sso_domains_verified_unique" on "sso_domains" ("domain") where "verified_at" is not null;`);
    this.addSql(`create index "sso_domains_verified_idx" on "sso_domains" ("domain");`);

    this.addSql(`create table "sso_identities" (
      "id" uuid not null,
      "org_id" uuid not null references "organizations" ("id") on update cascade on delete cascade,
      "user_id" uuid not null references "users" ("id") on update cascade on delete cascade,
      "issuer" text not null,
      "subject" text not null,
      "created_at" timestamptz not null default now(),
      "last_sign_in_at" timestamptz null,
      constraint "sso_identities_pkey" primary key ("id"),
      constraint "sso_identities_org_subject_unique" unique ("org_id", "issuer", "subject")
    );`);
    this.addSql(`create index "sso_identities_user_idx" on "sso_identities" ("org_id", "user_id");`);

    this.addSql(`grant select, insert, update, delete on "sso_connections", "sso_domains", "sso_identities" to atrium_app;`);
    for (const table of ['sso_connections', 'sso_domains', 'sso_identities']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy tenant_isolation on "${table}" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
      );
    }
    this.addSql(`create policy verified_domains_readable on "sso_domains" for select
      using (app_current_org() is null and verified_at is not null);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sso_identities";`);
    this.addSql(`drop table if exists "sso_domains";`);
    this.addSql(`drop table if exists "sso_connections";`);
  }
}
