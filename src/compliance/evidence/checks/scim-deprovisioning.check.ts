import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, periodParams, resultOf } from '../evidence-check';
import { EvidenceChecksRepository } from './evidence-checks.repository';

/**
 * CC6.2: access removed by the org's identity provider through SCIM. A deprovisioning (`active:
 * false` or DELETE) ends the membership, revokes the person's sessions in the org and the API keys
 * they created there, all in the transaction that records it, so its timeliness is the request
 * itself (other instances drop a revoked credential within a second). The population is the
 * period's deprovisionings from the audit log; the exceptions are what must never exist: a person
 * SCIM deprovisioned who still holds a membership or a usable API key in the org, at collection time.
 */
@Injectable()
export class ScimDeprovisioningCheck implements EvidenceCheck {
  readonly id = 'scim-deprovisioning';
  readonly version = 1;
  readonly criteria = ['CC6.2'];
  readonly description = 'Deprovisionings by the identity provider (SCIM) in the period; deprovisioned people left with access';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const snapshotAt = new Date();
    const deprovisionings = await this.repository.scimDeprovisionings(em, orgId, period);
    const residual = await this.repository.scimResidualAccess(em, orgId, snapshotAt);
    const activeTokens = await this.repository.activeScimTokens(em, orgId, snapshotAt);
    const population: EvidenceRow[] = deprovisionings.map((row) => ({
      auditEventId: row.id,
      at: isoOf(row.occurred_at),
      action: row.action,
      userId: row.target_id,
      byToken: row.actor_id,
    }));
    const exceptions: EvidenceRow[] = residual.map((row) => ({
      userId: row.user_id,
      reason: [
        ...(row.member ? ['still a member'] : []),
        ...(row.active_key_prefixes.length > 0 ? [`API keys still usable: ${row.active_key_prefixes.join(' ')}`] : []),
      ].join('; '),
    }));
    return {
      source: 'postgresql:audit_events,scim_users,memberships,api_keys,scim_tokens',
      queryParams: { orgId, ...periodParams(period), snapshotAt: snapshotAt.toISOString() },
      population,
      exceptions,
      summary: {
        snapshotAt: snapshotAt.toISOString(),
        scimTokensActive: activeTokens,
        deprovisionings: deprovisionings.length,
        deprovisionedWithAccess: exceptions.length,
      },
      result: resultOf(exceptions),
    };
  }
}
