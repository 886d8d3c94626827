import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Role } from '../../../tenancy';
import { StoredRow } from '../../stored-row';
import { EvidencePeriod } from '../evidence.types';

export interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  member_since: Date;
  account_created_at: Date;
  last_login_at: Date | null;
}

export interface SignInAssuranceRow {
  user_id: string;
  role: Role;
  /** When the member's TOTP factor was confirmed; null without one. */
  mfa_enabled_at: Date | null;
  /** The member's email is in a domain this org verified and its enabled SSO connection is enforced: password sign-in is refused. */
  sso_enforced: boolean;
}

export interface SignInPolicyRow {
  mfa_required: boolean;
  sso_enabled: boolean;
  sso_enforced: boolean;
  verified_domains: number;
}

export interface ScimDeprovisioningRow {
  id: string;
  occurred_at: Date;
  action: string;
  actor_id: string | null;
  target_id: string | null;
}

export interface ScimResidualAccessRow {
  user_id: string;
  /** Still a member of the org although SCIM deprovisioned them. */
  member: boolean;
  /** Prefixes of API keys they created in the org that can still authenticate. */
  active_key_prefixes: string[];
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_by_id: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

export interface RetentionRunRow {
  id: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: 'running' | 'succeeded' | 'failed';
  counts: Record<string, unknown>;
  duration_ms: number | null;
}

/** A legal hold without its reason or contact (free text and ids that may point at a data subject). */
export interface HoldRow {
  id: string;
  scope: string;
  category: string | null;
  created_at: Date;
  released_at: Date | null;
}

export interface MigrationRow {
  name: string;
  executed_at: Date;
}

/** A data-subject request with the deadline it is judged against; the subject only by hash. */
export interface PrivacyRequestTimingRow {
  id: string;
  type: 'access' | 'erasure';
  status: 'pending' | 'in_progress' | 'completed' | 'rejected';
  subject_hash: string;
  received_at: Date;
  effective_due_at: Date;
  extended: boolean;
  completed_at: Date | null;
}

export interface AcceptedInvitationRow {
  id: string;
  role: string;
  accepted_at: Date;
  user_id: string | null;
}

export interface RemovalRow {
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  target_id: string | null;
  in_same_request: boolean;
  standalone: boolean;
  revoked_at: Date | null;
}

/**
 * The SQL of the SOC 2 evidence checks, one method per population a check reads; each call runs
 * in the collection's org-scoped transaction.
 */
@Injectable()
export class EvidenceChecksRepository {
  /** access-snapshot: the org's members with their accounts. */
  async members(em: EntityManager, orgId: string): Promise<MemberRow[]> {
    const rows = await em.execute<StoredRow<MemberRow>[]>(
      `select m.user_id, u.email, m.role, m.created_at as member_since, u.created_at as account_created_at, u.last_login_at
       from memberships m join users u on u.id = m.user_id
       where m.org_id = ? order by m.created_at, m.user_id`,
      [orgId],
    );
    return rows.map((row) => ({
      ...row,
      member_since: new Date(row.member_since),
      account_created_at: new Date(row.account_created_at),
      last_login_at: dateOrNull(row.last_login_at),
    }));
  }

  /**
   * sign-in-assurance: each member, whether they have a second factor and whether SSO is the
   * only way they can sign in to this org (row-level security lets the org read its members' factors).
   */
  async signInAssurance(em: EntityManager, orgId: string): Promise<SignInAssuranceRow[]> {
    const rows = await em.execute<StoredRow<SignInAssuranceRow>[]>(
      `select m.user_id, m.role, f.confirmed_at as mfa_enabled_at,
         exists (select 1 from sso_connections c join sso_domains d on d.org_id = c.org_id
           where c.org_id = m.org_id and c.enabled and c.enforced and d.verified_at is not null
             and lower(split_part(u.email, '@', 2)) = d.domain) as sso_enforced
       from memberships m join users u on u.id = m.user_id
       left join mfa_totp_factors f on f.user_id = m.user_id and f.confirmed_at is not null
       where m.org_id = ? order by m.created_at, m.user_id`,
      [orgId],
    );
    return rows.map((row) => ({ ...row, mfa_enabled_at: dateOrNull(row.mfa_enabled_at) }));
  }

  /** sign-in-assurance: the org's sign-in policy at collection time. */
  async signInPolicy(em: EntityManager, orgId: string): Promise<SignInPolicyRow> {
    const [row] = await em.execute<SignInPolicyRow[]>(
      `select coalesce((o.settings->>'mfaRequired')::boolean, false) as mfa_required,
         coalesce(c.enabled, false) as sso_enabled, coalesce(c.enabled and c.enforced, false) as sso_enforced,
         (select count(*)::int from sso_domains d where d.org_id = o.id and d.verified_at is not null) as verified_domains
       from organizations o left join sso_connections c on c.org_id = o.id
       where o.id = ?`,
      [orgId],
    );
    return row;
  }

  /** scim-deprovisioning: deprovisionings by the org's identity provider in the period, from the audit log. */
  async scimDeprovisionings(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<ScimDeprovisioningRow[]> {
    const rows = await em.execute<StoredRow<ScimDeprovisioningRow>[]>(
      `select id, occurred_at, action, actor_id, target_id from audit_events
       where org_id = ? and outcome = 'success' and occurred_at >= ? and occurred_at < ?
         and (action = 'scim.user.deprovisioned' or coalesce(details->'events' @> '["scim.user.deprovisioned"]'::jsonb, false))
       order by seq`,
      [orgId, period.start, period.end],
    );
    return rows.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at) }));
  }

  /** scim-deprovisioning: people SCIM deprovisioned (inactive) who still hold a membership or a usable API key in the org. */
  async scimResidualAccess(em: EntityManager, orgId: string, asOf: Date): Promise<ScimResidualAccessRow[]> {
    return em
      .execute<ScimResidualAccessRow[]>(
        `select s.user_id,
         exists (select 1 from memberships m where m.org_id = s.org_id and m.user_id = s.user_id) as member,
         array(select k.prefix from api_keys k where k.org_id = s.org_id and k.created_by_id = s.user_id and k.revoked_at is null
           and (k.expires_at is null or k.expires_at > ?) order by k.prefix) as active_key_prefixes
       from scim_users s where s.org_id = ? and not s.active order by s.user_id`,
        [asOf, orgId],
      )
      .then((rows) => rows.filter((row) => row.member || row.active_key_prefixes.length > 0));
  }

  /** scim-deprovisioning: SCIM tokens that can still authenticate. */
  async activeScimTokens(em: EntityManager, orgId: string, asOf: Date): Promise<number> {
    const [row] = await em.execute<{ n: number }[]>(
      `select count(*)::int as n from scim_tokens where org_id = ? and revoked_at is null and (expires_at is null or expires_at > ?)`,
      [orgId, asOf],
    );
    return row.n;
  }

  /** api-keys: the keys that can still authenticate at `asOf`. */
  async activeApiKeys(em: EntityManager, orgId: string, asOf: Date): Promise<ApiKeyRow[]> {
    const rows = await em.execute<StoredRow<ApiKeyRow>[]>(
      `select id, name, prefix, created_by_id, scopes, created_at, last_used_at, expires_at from api_keys
       where org_id = ? and revoked_at is null and (expires_at is null or expires_at > ?) order by created_at, id`,
      [orgId, asOf],
    );
    return rows.map((row) => ({
      ...row,
      created_at: new Date(row.created_at),
      last_used_at: dateOrNull(row.last_used_at),
      expires_at: dateOrNull(row.expires_at),
    }));
  }

  /** disposal: retention runs started in the period. */
  async retentionRuns(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<RetentionRunRow[]> {
    const rows = await em.execute<StoredRow<RetentionRunRow>[]>(
      `select id, started_at, finished_at, outcome, counts, duration_ms from retention_runs
       where org_id = ? and started_at >= ? and started_at < ? order by started_at, id`,
      [orgId, period.start, period.end],
    );
    return rows.map((row) => ({ ...row, started_at: new Date(row.started_at), finished_at: dateOrNull(row.finished_at) }));
  }

  /** disposal: legal holds active at some point of the period. */
  async holds(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<HoldRow[]> {
    const rows = await em.execute<StoredRow<HoldRow>[]>(
      `select id, scope, category, created_at, released_at from legal_holds
       where org_id = ? and created_at < ? and (released_at is null or released_at >= ?) order by created_at, id`,
      [orgId, period.end, period.start],
    );
    return rows.map((row) => ({ ...row, created_at: new Date(row.created_at), released_at: dateOrNull(row.released_at) }));
  }

  /** monitoring: failed sign-ins and denied permission checks the org's audit log recorded in the period. */
  async securityEventCounts(
    em: EntityManager,
    orgId: string,
    period: EvidencePeriod,
  ): Promise<{ failedLogins: number; permissionDenials: number }> {
    const [counts] = await em.execute<{ failed_logins: string; permission_denials: string }[]>(
      `select count(*) filter (where action = 'auth.login.failed') as failed_logins,
              count(*) filter (where action = 'permission.denied') as permission_denials
       from audit_events where org_id = ? and occurred_at >= ? and occurred_at < ?
         and action in ('auth.login.failed', 'permission.denied')`,
      [orgId, period.start, period.end],
    );
    return { failedLogins: Number(counts.failed_logins), permissionDenials: Number(counts.permission_denials) };
  }

  /** monitoring: scheduled-job outcomes in the period, cluster-wide (jobs span orgs). */
  async jobRunCounts(em: EntityManager, period: EvidencePeriod): Promise<{ succeeded: number; failed: number }> {
    const [jobs] = await em.execute<{ succeeded: string; failed: string }[]>(
      `select count(*) filter (where outcome = 'succeeded') as succeeded, count(*) filter (where outcome = 'failed') as failed
       from job_runs where started_at >= ? and started_at < ?`,
      [period.start, period.end],
    );
    return { succeeded: Number(jobs.succeeded), failed: Number(jobs.failed) };
  }

  /** change-management: the schema migrations applied. A global table, readable under any org's transaction (no row-level security on it). */
  async migrations(em: EntityManager): Promise<MigrationRow[]> {
    const rows = await em.execute<StoredRow<MigrationRow>[]>('select name, executed_at from mikro_orm_migrations order by id');
    return rows.map((row) => ({ ...row, executed_at: new Date(row.executed_at) }));
  }

  /** privacy-requests: requests received in the period, completed in it, or open past their due date at its end. */
  async privacyRequests(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<PrivacyRequestTimingRow[]> {
    const rows = await em.execute<StoredRow<PrivacyRequestTimingRow>[]>(
      `select id, type, status, subject_hash, received_at, coalesce(extended_due_at, due_at) as effective_due_at,
         extended_due_at is not null as extended, completed_at
       from privacy_requests
       where org_id = ? and received_at < ? and (
         received_at >= ?
         or (completed_at >= ? and completed_at < ?)
         or (status <> 'rejected' and coalesce(extended_due_at, due_at) < ? and (completed_at is null or completed_at >= ?)))
       order by received_at, id`,
      [orgId, period.end, period.start, period.start, period.end, period.end, period.end],
    );
    return rows.map((row) => ({
      ...row,
      received_at: new Date(row.received_at),
      effective_due_at: new Date(row.effective_due_at),
      completed_at: dateOrNull(row.completed_at),
    }));
  }

  /** provisioning: invitations accepted in the period, with the account that accepted. */
  async acceptedInvitations(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<AcceptedInvitationRow[]> {
    const rows = await em.execute<StoredRow<AcceptedInvitationRow>[]>(
      `select i.id, i.role, i.accepted_at, u.id as user_id
       from invitations i left join users u on u.email = i.email
       where i.org_id = ? and i.accepted_at >= ? and i.accepted_at < ? order by i.accepted_at, i.id`,
      [orgId, period.start, period.end],
    );
    return rows.map((row) => ({ ...row, accepted_at: new Date(row.accepted_at) }));
  }

  /** provisioning: members removed in the period, with when (and whether) their sessions were revoked. */
  async removals(em: EntityManager, orgId: string, period: EvidencePeriod): Promise<RemovalRow[]> {
    const rows = await em.execute<StoredRow<RemovalRow>[]>(
      `select e.id, e.occurred_at, e.actor_id, e.target_id,
         coalesce(e.details->'events' @> '["member.removed"]'::jsonb, false) as in_same_request,
         e.action = 'member.removed' as standalone,
         (select min(r.occurred_at) from audit_events r
           where r.org_id = e.org_id and r.action = 'member.removed' and r.target_id = e.target_id and r.seq > e.seq) as revoked_at
       from audit_events e
       where e.org_id = ? and e.outcome = 'success' and e.occurred_at >= ? and e.occurred_at < ?
         and (e.action = 'member.remove' or e.action = 'member.removed')
         -- A standalone member.removed that completes an earlier removal is its revocation, not another removal.
         and not (e.action = 'member.removed' and exists (select 1 from audit_events p
           where p.org_id = e.org_id and p.action = 'member.remove' and p.outcome = 'success' and p.target_id = e.target_id
             and p.seq < e.seq and not coalesce(p.details->'events' @> '["member.removed"]'::jsonb, false)))
       order by e.seq`,
      [orgId, period.start, period.end],
    );
    return rows.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at), revoked_at: dateOrNull(row.revoked_at) }));
  }
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));
