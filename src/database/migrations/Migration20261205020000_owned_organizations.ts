import { Migration } from '@mikro-orm/migrations';

/**
 * `app_owned_organizations(user)`: how many organizations a user owns, across tenants. The cap on
 * organizations per user (ORGANIZATIONS_PER_USER_LIMIT) is checked in the transaction that creates
 * the new one, under a per-user advisory lock, where row-level security shows only that new org's
 * memberships: this function counts the rest, and nothing else.
 */
export class Migration20261205020000_owned_organizations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function app_owned_organizations(p_user uuid) returns bigint
    language sql stable security definer set search_path = public, pg_temp as $$
      select count(*) from memberships where user_id = p_user and role = 'owner'
    $$;`);
    this.addSql(`revoke all on function app_owned_organizations(uuid) from public;`);
    this.addSql(`grant execute on function app_owned_organizations(uuid) to atrium_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists app_owned_organizations(uuid);`);
  }
}
