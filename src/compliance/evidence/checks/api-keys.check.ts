import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, resultOf, wholeDaysBetween } from '../evidence-check';
import { ApiKeyRow, EvidenceChecksRepository } from './evidence-checks.repository';

/** A key not used for this long is an exception: unused credentials should be revoked. */
export const UNUSED_KEY_DAYS = 90;
/**
 * A key older than this should have been rotated. A constant rather than configuration: the
 * rotation period is part of the control as described to the auditor; change it with a new
 * check version.
 */
export const API_KEY_ROTATION_DAYS = 365;

/**
 * CC6.6: every API key that can still authenticate (not revoked, not expired) at collection time,
 * a snapshot like the access review. Exceptions: unused for 90 days or more (never used and
 * created 90 or more days ago, or last used 90 or more days ago), or older than the rotation limit.
 */
@Injectable()
export class ApiKeysCheck implements EvidenceCheck {
  readonly id = 'api-keys';
  readonly version = 1;
  readonly criteria = ['CC6.6'];
  readonly description = 'Active API keys with age, last use, scopes and expiry; unused or unrotated keys';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, _period: unknown, em: EntityManager): Promise<CheckOutcome> {
    const snapshotAt = new Date();
    const keys = await this.repository.activeApiKeys(em, orgId, snapshotAt);
    const population: EvidenceRow[] = keys.map((key) => ({
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      createdBy: key.created_by_id,
      scopes: [...key.scopes].sort().join(' '),
      createdAt: isoOf(key.created_at),
      ageDays: wholeDaysBetween(key.created_at, snapshotAt),
      lastUsedAt: isoOf(key.last_used_at),
      daysSinceUse: key.last_used_at === null ? null : wholeDaysBetween(key.last_used_at, snapshotAt),
      expiresAt: isoOf(key.expires_at),
    }));
    const exceptions: EvidenceRow[] = keys.flatMap((key, index) => {
      const reasons = exceptionReasons(key, snapshotAt);
      const row = population[index];
      return reasons.length > 0
        ? [{ id: key.id, name: key.name, prefix: key.prefix, ageDays: row.ageDays, lastUsedAt: row.lastUsedAt, reason: reasons.join('; ') }]
        : [];
    });
    return {
      source: 'postgresql:api_keys',
      queryParams: { orgId, snapshotAt: snapshotAt.toISOString(), unusedDays: UNUSED_KEY_DAYS, rotationDays: API_KEY_ROTATION_DAYS },
      population,
      exceptions,
      summary: {
        snapshotAt: snapshotAt.toISOString(),
        activeKeys: keys.length,
        neverUsed: keys.filter((key) => key.last_used_at === null).length,
        withoutExpiry: keys.filter((key) => key.expires_at === null).length,
        unusedOrUnrotated: exceptions.length,
      },
      result: resultOf(exceptions),
    };
  }
}

function exceptionReasons(key: ApiKeyRow, snapshotAt: Date): string[] {
  const reasons: string[] = [];
  const idleDays = wholeDaysBetween(key.last_used_at ?? key.created_at, snapshotAt);
  if (idleDays >= UNUSED_KEY_DAYS) {
    reasons.push(
      key.last_used_at === null ? `never used, created ${UNUSED_KEY_DAYS} days or more ago` : `unused for ${UNUSED_KEY_DAYS} days or more`,
    );
  }
  if (wholeDaysBetween(key.created_at, snapshotAt) > API_KEY_ROTATION_DAYS)
    reasons.push(`older than the ${API_KEY_ROTATION_DAYS}-day rotation limit`);
  return reasons;
}
