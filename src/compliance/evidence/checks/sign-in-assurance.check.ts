import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { PRIVILEGED_ROLES } from '../../../tenancy';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, resultOf } from '../evidence-check';
import { EvidenceChecksRepository, SignInAssuranceRow, SignInPolicyRow } from './evidence-checks.repository';

/**
 * CC6.1: how the org's members authenticate, at collection time. For each member: a confirmed
 * second factor (TOTP) or not, and whether the org's enforced single sign-on governs them (their
 * email is in a domain the org verified, so password sign-in is refused and the identity
 * provider's own controls apply). Exceptions: a member without either while the org requires MFA
 * (they can do nothing but enrol, but their access is not as the policy says), and an owner or
 * admin without either, whatever the policy: privileged access on a password alone.
 */
@Injectable()
export class SignInAssuranceCheck implements EvidenceCheck {
  readonly id = 'sign-in-assurance';
  readonly version = 1;
  readonly criteria = ['CC6.1'];
  readonly description = 'Members with a second factor or under enforced single sign-on, against the org’s MFA policy';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, _period: unknown, em: EntityManager): Promise<CheckOutcome> {
    const snapshotAt = new Date();
    const policy = await this.repository.signInPolicy(em, orgId);
    const members = await this.repository.signInAssurance(em, orgId);
    const population: EvidenceRow[] = members.map((member) => ({
      userId: member.user_id,
      role: member.role,
      mfaEnabledAt: isoOf(member.mfa_enabled_at),
      ssoEnforced: member.sso_enforced,
    }));
    const exceptions: EvidenceRow[] = members.flatMap((member) => {
      const reason = exceptionReason(member, policy);
      return reason ? [{ userId: member.user_id, role: member.role, reason }] : [];
    });
    return {
      source: 'postgresql:memberships,mfa_totp_factors,sso_connections,sso_domains,organizations.settings',
      queryParams: { orgId, snapshotAt: snapshotAt.toISOString() },
      population,
      exceptions,
      summary: {
        snapshotAt: snapshotAt.toISOString(),
        mfaRequired: policy.mfa_required,
        ssoEnabled: policy.sso_enabled,
        ssoEnforced: policy.sso_enforced,
        verifiedDomains: policy.verified_domains,
        members: members.length,
        withMfa: members.filter((member) => member.mfa_enabled_at !== null).length,
        underEnforcedSso: members.filter((member) => member.sso_enforced).length,
        withNeither: members.filter((member) => member.mfa_enabled_at === null && !member.sso_enforced).length,
      },
      result: resultOf(exceptions),
    };
  }
}

function exceptionReason(member: SignInAssuranceRow, policy: SignInPolicyRow): string | null {
  if (member.mfa_enabled_at !== null || member.sso_enforced) return null;
  if (policy.mfa_required) return 'the organization requires MFA; no second factor and not under enforced SSO';
  if (PRIVILEGED_ROLES.includes(member.role)) return 'privileged member without a second factor or enforced SSO';
  return null;
}
