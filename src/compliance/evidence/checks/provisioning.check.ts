import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, periodParams, resultOf } from '../evidence-check';

/** A removed member's sessions must end within this long of the removal. */
export const MAX_REVOCATION_DELAY_SECONDS = 3600;

interface InvitationRow {
  id: string;
  role: string;
  accepted_at: string;
  user_id: string | null;
}

interface RemovalRow {
  id: string;
  occurred_at: string;
  actor_id: string | null;
  target_id: string | null;
  in_same_request: boolean;
  standalone: boolean;
  revoked_at: string | null;
}

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

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const invitations = await em.execute<InvitationRow[]>(
      `select i.id, i.role, i.accepted_at, u.id as user_id
       from invitations i left join users u on u.email = i.email
       where i.org_id = ? and i.accepted_at >= ? and i.accepted_at < ? order by i.accepted_at, i.id`,
      [orgId, period.start, period.end],
    );
    const removals = await em.execute<RemovalRow[]>(
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
  const seconds = Math.round((new Date(removal.revoked_at).getTime() - new Date(removal.occurred_at).getTime()) / 1000);
  return { revocation: 'later', revocationSeconds: Math.max(0, seconds) };
}
