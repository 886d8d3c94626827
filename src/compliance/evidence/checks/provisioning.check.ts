import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, periodParams, resultOf } from '../evidence-check';
import { EvidenceChecksRepository, RemovalRow } from './evidence-checks.repository';

/** A removed member's sessions must end within this long of the removal. */
export const MAX_REVOCATION_DELAY_SECONDS = 3600;

/**
 * CC6.2: access granted (invitations accepted) and removed (members removed) in the period, and
 * how soon a removed member's sessions ended.
 *
 * How revocation is measured: `DELETE /v1/members/{id}` revokes the member's sessions in this
 * org before the removal commits (if they cannot be revoked, nothing is removed), then raises
 * `member.removed`, which the audit log folds into the request's one `member.remove` event
 * (`details.events`). That event is the evidence that revocation happened in the same request:
 * 0 s. A removal done outside a request (a job, a script) is recorded as its own `member.removed`
 * event, raised after the revocation in the same operation: also 0 s. A `member.remove` event
 * without it is measured to the next `member.removed` event for the same user; none is an
 * exception (not recorded), one later than an hour is an exception (late).
 */
@Injectable()
export class ProvisioningCheck implements EvidenceCheck {
  readonly id = 'provisioning';
  readonly version = 1;
  readonly criteria = ['CC6.2'];
  readonly description = 'Invitations accepted and members removed in the period, with the time from removal to session revocation';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const invitations = await this.repository.acceptedInvitations(em, orgId, period);
    const removals = await this.repository.removals(em, orgId, period);
    const joined: EvidenceRow[] = invitations.map((invitation) => ({
      kind: 'access-granted',
      id: invitation.id,
      userId: invitation.user_id,
      role: invitation.role,
      at: isoOf(invitation.accepted_at),
      actorId: null,
      revocation: null,
      revocationSeconds: null,
    }));
    const removed: EvidenceRow[] = removals.map((removal) => ({
      kind: 'access-removed',
      id: removal.id,
      userId: removal.target_id,
      role: null,
      at: isoOf(removal.occurred_at),
      actorId: removal.actor_id,
      ...revocationOf(removal),
    }));
    const exceptions = removed
      .filter((row) => row.revocation === 'not-recorded' || (row.revocationSeconds as number) > MAX_REVOCATION_DELAY_SECONDS)
      .map((row) => ({
        id: row.id,
        userId: row.userId,
        at: row.at,
        revocationSeconds: row.revocationSeconds,
        reason:
          row.revocation === 'not-recorded'
            ? 'no session revocation recorded for the removal'
            : `sessions revoked more than ${MAX_REVOCATION_DELAY_SECONDS} s after the removal`,
      }));
    const seconds = removed.map((row) => row.revocationSeconds).filter((value): value is number => typeof value === 'number');
    return {
      source: 'postgresql:invitations,users,audit_events',
      queryParams: {
        orgId,
        ...periodParams(period),
        removalActions: ['member.remove', 'member.removed'],
        maxRevocationDelaySeconds: MAX_REVOCATION_DELAY_SECONDS,
      },
      population: [...joined, ...removed],
      exceptions,
      summary: {
        invitationsAccepted: joined.length,
        membersRemoved: removed.length,
        revocationsInSameRequest: removed.filter((row) => row.revocation === 'same-request' || row.revocation === 'same-operation').length,
        maxRevocationSeconds: seconds.length > 0 ? Math.max(...seconds) : null,
        removalsWithoutTimelyRevocation: exceptions.length,
      },
      result: resultOf(exceptions),
    };
  }
}

function revocationOf(removal: RemovalRow): { revocation: string; revocationSeconds: number | null } {
  if (removal.standalone) return { revocation: 'same-operation', revocationSeconds: 0 };
  if (removal.in_same_request) return { revocation: 'same-request', revocationSeconds: 0 };
  if (!removal.revoked_at) return { revocation: 'not-recorded', revocationSeconds: null };
  const seconds = Math.round((removal.revoked_at.getTime() - removal.occurred_at.getTime()) / 1000);
  return { revocation: 'later', revocationSeconds: Math.max(0, seconds) };
}
