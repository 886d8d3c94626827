import { Migration } from '@mikro-orm/migrations';

/**
 * Multi-factor authentication (src/tenancy/mfa). A TOTP factor and its recovery codes belong to a
 * user, not to an organization (users span organizations), so row-level security binds them to
 * the user scope (`app.user_id`, no org set): a user reads and changes only their own. Under an
 * org scope the members' factors are readable (whether each member has MFA: the members list and
 * the SOC 2 MFA-coverage evidence), never their recovery codes, and nothing is writable.
 *
 * - `mfa_totp_factors`: the seed sealed with AES-256-GCM (SecretBox, never in clear), confirmed
 *   once a first code matched; `last_used_step` refuses a code of a time step already used.
 * - `mfa_recovery_codes`: SHA-256 of each 80-bit code; `used_at` makes each single-use.
 * - `mfa_challenges`: the second step of a sign-in, by the SHA-256 of its token, short-lived,
 *   single-use, with its failed attempts counted. It names the org the sign-in chose; it is read
 *   and written only in the user's scope (the token names its user), never in an org's.
 */
export class Migration20261206100000_mfa extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "mfa_totp_factors" (
      "user_id" uuid primary key references "users" ("id") on delete cascade,
      "secret_sealed" text not null,
      "confirmed_at" timestamptz null,
      "last_used_step" bigint null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create table "mfa_recovery_codes" (
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "code_hash" text not null,
      "used_at" timestamptz null,
      "created_at" timestamptz not null default now(),
      primary key ("user_id", "code_hash")
    );`);
    this.addSql(`create table "mfa_challenges" (
      "token_hash" text primary key,
      "user_id" uuid not null references "users" ("id") on delete cascade,
      "org_id" uuid not null references "organizations" ("id") on delete cascade,
      "attempts" integer not null default 0,
      "expires_at" timestamptz not null,
      "created_at" timestamptz not null default now()
    );`);
    this.addSql(`create index "mfa_challenges_user_id_index" on "mfa_challenges" ("user_id");`);
    this.addSql(`grant select, insert, update, delete on "mfa_totp_factors", "mfa_recovery_codes", "mfa_challenges" to atrium_app;`);
    for (const table of ['mfa_totp_factors', 'mfa_recovery_codes', 'mfa_challenges']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`alter table "${table}" force row level security;`);
      this.addSql(`create policy own_rows on "${table}" using (app_current_org() is null and user_id = app_current_user())
        with check (app_current_org() is null and user_id = app_current_user());`);
    }
    this.addSql(`create policy members_factors_readable on "mfa_totp_factors" for select
      using (app_current_org() is not null and exists (
        select 1 from "memberships" m where m.org_id = app_current_org() and m.user_id = "mfa_totp_factors".user_id));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mfa_challenges";`);
    this.addSql(`drop table if exists "mfa_recovery_codes";`);
    this.addSql(`drop table if exists "mfa_totp_factors";`);
  }
}
