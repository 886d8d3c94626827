import { Migration } from '@mikro-orm/migrations';

/**
 * Which organizations have open background work, across tenants, for the pick-up jobs
 * (`privacy-requests` every minute, `audit-verifications` every 30 s). They walked every
 * organization, one transaction each, to find the few with a request or run to claim: at 2,000
 * orgs with nothing waiting each pass took about 2.6 s (three passes a minute), growing with the
 * orgs rather than with the work (bench/README.md, "The pick-up jobs").
 * Each function returns org ids only, of the rows still open (a claim decides, in the org's own
 * transaction under RLS, whether one may be taken); security definer because a scope with no org
 * set sees no tenant row. A partial index keeps each to the open rows (audit_verifications has one).
 */
export class Migration20261206140000_open_work_organizations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "privacy_requests_open_idx" on "privacy_requests" ("org_id") where "status" in ('pending', 'in_progress');`);
    this.addSql(`create function app_organizations_with_open_privacy_requests() returns setof uuid
    language sql stable security definer set search_path = public, pg_temp as $$
      select distinct org_id from privacy_requests where status in ('pending', 'in_progress') order by org_id
    $$;`);
    this.addSql(`create function app_organizations_with_open_audit_verifications() returns setof uuid
    language sql stable security definer set search_path = public, pg_temp as $$
      select distinct org_id from audit_verifications where status in ('queued', 'running') order by org_id
    $$;`);
    for (const fn of ['app_organizations_with_open_privacy_requests', 'app_organizations_with_open_audit_verifications']) {
      this.addSql(`revoke all on function ${fn}() from public;`);
      this.addSql(`grant execute on function ${fn}() to atrium_app;`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists app_organizations_with_open_audit_verifications();`);
    this.addSql(`drop function if exists app_organizations_with_open_privacy_requests();`);
    this.addSql(`drop index if exists "privacy_requests_open_idx";`);
  }
}
