import { Migration } from '@mikro-orm/migrations';

const TENANT_TABLES = ['idempotency_records', 'companies', 'contacts', 'activities'];

/**
 * Customer records and idempotency records, tenant-owned like everything else: grants to the
 * runtime role, RLS enabled and forced, org-leading indexes for every list filter. Tag filters
 * and `q` search use GIN indexes led by org_id (btree_gin) over the tags array and a trigram
 * index of the generated `search_text`.
 */
export class Migration20261127010154_customer_records extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_records" ("id" uuid not null, "org_id" uuid not null, "key" text not null, "request_hash" text not null, "status_code" smallint not null, "response_body" jsonb null, "response_headers" jsonb not null default '{}', "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, constraint "idempotency_records_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "idempotency_records_org_expires_idx" on "idempotency_records" ("org_id", "expires_at");`);
    this.addSql(`alter table "idempotency_records" add constraint "idempotency_records_org_key_unique" unique ("org_id", "key");`);

    this.addSql(
      `create table "companies" ("id" uuid not null, "org_id" uuid not null, "name" text not null, "domain" text null, "industry" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "companies_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "companies_org_updated_idx" on "companies" ("org_id", "updated_at");`);
    this.addSql(`create index "companies_org_domain_idx" on "companies" ("org_id", "domain");`);
    this.addSql(`create index "companies_org_id_idx" on "companies" ("org_id", "id");`);

    this.addSql(
      `create table "contacts" ("id" uuid not null, "org_id" uuid not null, "first_name" text not null, "last_name" text not null, "email" text null, "phone" text null, "company_id" uuid null, "tags" text[] not null default '{}', "custom_fields" jsonb not null default '{}', "search_text" text generated always as (lower(first_name || ' ' || last_name || ' ' || coalesce(email, ''))) stored null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "contacts_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "contacts_org_updated_idx" on "contacts" ("org_id", "updated_at", "id");`);
    this.addSql(`create index "contacts_org_company_idx" on "contacts" ("org_id", "company_id", "id");`);
    this.addSql(`create index "contacts_org_email_idx" on "contacts" ("org_id", "email", "id");`);
    this.addSql(`create index "contacts_org_id_idx" on "contacts" ("org_id", "id");`);

    this.addSql(
      `create table "activities" ("id" uuid not null, "org_id" uuid not null, "contact_id" uuid not null, "type" text check ("type" in ('note', 'call', 'email', 'meeting')) not null, "subject" text not null, "body" text null, "occurred_at" timestamptz not null, "author_type" text not null, "author_id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "activities_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "activities_org_occurred_idx" on "activities" ("org_id", "occurred_at");`);
    this.addSql(`create index "activities_org_contact_idx" on "activities" ("org_id", "contact_id", "occurred_at", "id");`);

    this.addSql(
      `alter table "idempotency_records" add constraint "idempotency_records_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "companies" add constraint "companies_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "contacts" add constraint "contacts_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "contacts" add constraint "contacts_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "activities" add constraint "activities_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "activities" add constraint "activities_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`create extension if not exists btree_gin;`);
    this.addSql(`create index "contacts_org_tags_gin" on "contacts" using gin ("org_id", "tags");`);
    this.addSql(`create index "contacts_org_search_trgm" on "contacts" using gin ("org_id", "search_text" gin_trgm_ops);`);

    // Row-level security lets the planner push a filter into an index only through leakproof
    // operators. `@>` on arrays and LIKE are not marked so, which would leave the tag and `q`
    // indexes unused for the runtime role. Both fail only on the caller's own pattern, never on
    // row data, so marking them is safe. It takes a superuser; elsewhere an operator must run it.
    this.addSql(`do $$ begin
      if (select rolsuper from pg_roles where rolname = current_user) then
        alter function pg_catalog.arraycontains(anyarray, anyarray) leakproof;
        alter function pg_catalog.textlike(text, text) leakproof;
      else
        raise warning 'not a superuser: run "alter function arraycontains(anyarray, anyarray) leakproof; alter function textlike(text, text) leakproof;" as one so tag and q filters use their indexes';
      end if;
    end $$;`);

    for (const table of TENANT_TABLES) {
      this.addSql(`grant select, insert, update, delete on "${table}" to atrium_app;`);
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(
        `create policy tenant_isolation on "${table}" using (org_id = app_current_org()) with check (org_id = app_current_org());`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "contacts_org_tags_gin";`);
    this.addSql(`drop index if exists "contacts_org_search_trgm";`);
    this.addSql(`alter table "contacts" drop constraint "contacts_company_id_foreign";`);

    this.addSql(`alter table "activities" drop constraint "activities_contact_id_foreign";`);

    this.addSql(`drop table if exists "idempotency_records" cascade;`);

    this.addSql(`drop table if exists "companies" cascade;`);

    this.addSql(`drop table if exists "contacts" cascade;`);

    this.addSql(`drop table if exists "activities" cascade;`);
  }
}
