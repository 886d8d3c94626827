import { Migration } from '@mikro-orm/migrations';

/**
 * SAML 2.0 connections (src/tenancy/sso/saml): a connection's `type` may be `saml`, whose settings
 * (the identity provider's entity id, single sign-on URL and signing certificates, all public) hold
 * no secret, so `secret_sealed` is kept for OpenID Connect only and may be null. An OIDC connection
 * still needs its secret: a check says so, whatever the application does. A SAML connection's
 * service-provider metadata is public (the identity provider's admin loads it by its URL, which
 * names the connection): a scope with no org set may read SAML connections, never OIDC ones (which
 * hold a sealed secret), and may change none, as with verified domains.
 */
export class Migration20261206130000_sso_saml extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sso_connections" drop constraint if exists "sso_connections_type_check";`);
    this.addSql(`alter table "sso_connections" add constraint "sso_connections_type_check" check ("type" in ('oidc', 'saml'));`);
    this.addSql(`alter table "sso_connections" alter column "secret_sealed" drop not null;`);
    this.addSql(`alter table "sso_connections" add constraint "sso_connections_oidc_secret_check"
      check ("type" <> 'oidc' or "secret_sealed" is not null);`);
    this.addSql(`create policy saml_connections_readable on "sso_connections" for select
      using (app_current_org() is null and "type" = 'saml');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop policy if exists saml_connections_readable on "sso_connections";`);
    this.addSql(`delete from "sso_connections" where "type" = 'saml';`);
    this.addSql(`alter table "sso_connections" drop constraint if exists "sso_connections_oidc_secret_check";`);
    this.addSql(`alter table "sso_connections" alter column "secret_sealed" set not null;`);
    this.addSql(`alter table "sso_connections" drop constraint if exists "sso_connections_type_check";`);
    this.addSql(`alter table "sso_connections" add constraint "sso_connections_type_check" check ("type" in ('oidc'));`);
  }
}
