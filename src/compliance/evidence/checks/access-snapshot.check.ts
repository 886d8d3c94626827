import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Permission, ROLES, ROLE_PERMISSIONS, Role } from '../../../tenancy';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, resultOf, wholeDaysBetween } from '../evidence-check';
import { EvidenceChecksRepository, MemberRow } from './evidence-checks.repository';

/** A privileged account unused this long is an exception: its access should be reviewed or removed. */
export const DORMANT_PRIVILEGED_DAYS = 90;

/**
 * Administrative permissions: a role holding any of them is privileged. Derived from the role
 * table rather than a list of role names, so a new role is judged by what it may do (today this
 * is owner and admin, the same as tenancy's PRIVILEGED_ROLES, which the tenancy module does not export).
 */
const ADMINISTRATIVE: readonly Permission[] = ['org:manage', 'members:manage', 'api-keys:manage'];

export function isPrivileged(role: Role): boolean {
  return ROLE_PERMISSIONS[role].some((permission) => ADMINISTRATIVE.includes(permission));
}

/**
 * CC6.1 / CC6.3: who has access to the org right now, with which role and permissions, and when
 * they last signed in: the population an access review works from. It is a snapshot at collection
 * time, whatever the period. Member emails are the tenant's own users (not data subjects of its
 * CRM records): reviewers need them to recognise who holds access.
 *
 * Exception rule: a privileged member whose last sign-in (to any org: `users.last_login_at` is
 * per account), or, never signed in, whose membership began, lies 90 days or more before the
 * snapshot.
 */
@Injectable()
export class AccessSnapshotCheck implements EvidenceCheck {
  readonly id = 'access-snapshot';
  readonly version = 1;
  readonly criteria = ['CC6.1', 'CC6.3'];
  readonly description = 'Members of the organization with role, permissions, account age and last sign-in; dormant privileged accounts';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, _period: unknown, em: EntityManager): Promise<CheckOutcome> {
    const snapshotAt = new Date();
    const members = await this.repository.members(em, orgId);
    const population: EvidenceRow[] = members.map((member) => ({
      userId: member.user_id,
      email: member.email,
      role: member.role,
      privileged: isPrivileged(member.role),
      permissions: [...ROLE_PERMISSIONS[member.role]].sort().join(' '),
      memberSince: isoOf(member.member_since),
      accountCreatedAt: isoOf(member.account_created_at),
      accountAgeDays: wholeDaysBetween(member.account_created_at, snapshotAt),
      lastLoginAt: isoOf(member.last_login_at),
      daysSinceLogin: member.last_login_at === null ? null : wholeDaysBetween(member.last_login_at, snapshotAt),
    }));
    const exceptions = members
      .filter((member) => isPrivileged(member.role))
      .filter((member) => wholeDaysBetween(member.last_login_at ?? member.member_since, snapshotAt) >= DORMANT_PRIVILEGED_DAYS)
      .map((member) => ({
        userId: member.user_id,
        email: member.email,
        role: member.role,
        lastLoginAt: isoOf(member.last_login_at),
        reason: `privileged account without a sign-in for ${DORMANT_PRIVILEGED_DAYS} days or more`,
      }));
    return {
      source: 'postgresql:memberships,users',
      queryParams: { orgId, snapshotAt: snapshotAt.toISOString(), dormantPrivilegedDays: DORMANT_PRIVILEGED_DAYS },
      population,
      exceptions,
      summary: {
        snapshotAt: snapshotAt.toISOString(),
        members: members.length,
        privileged: population.filter((row) => row.privileged).length,
        dormantPrivileged: exceptions.length,
        ...roleTable(members),
      },
      result: resultOf(exceptions),
    };
  }
}

/** Members per role, and the role → permission table the access review checks them against. */
function roleTable(members: readonly MemberRow[]): EvidenceRow {
  const table: Record<string, string | number | boolean> = {};
  for (const role of ROLES) {
    table[`members.${role}`] = members.filter((member) => member.role === role).length;
    table[`permissions.${role}`] = [...ROLE_PERMISSIONS[role]].sort().join(' ');
    table[`privileged.${role}`] = isPrivileged(role);
  }
  return table;
}
