import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/http';
import { EvidenceRecord } from './evidence.types';

export type EvidencePayloadFields = Pick<
  EvidenceRecord,
  'checkId' | 'checkVersion' | 'criteria' | 'periodStart' | 'periodEnd' | 'population' | 'exceptions' | 'summary' | 'result'
>;

/**
 * What the payload hash covers: everything the check found and concluded, and for which period.
 * Not the record's id, org or collection time: the same findings hash the same. Period bounds are
 * ISO 8601 strings, so anyone holding the JSON record can recompute the hash:
 * sha256(canonicalJson({ checkId, checkVersion, criteria, periodStart, periodEnd, population, exceptions, summary, result })).
 */
export function evidencePayloadOf(record: EvidencePayloadFields): Record<string, unknown> {
  return {
    checkId: record.checkId,
    checkVersion: record.checkVersion,
    criteria: record.criteria,
    periodStart: record.periodStart.toISOString(),
    periodEnd: record.periodEnd.toISOString(),
    population: record.population,
    exceptions: record.exceptions,
    summary: record.summary,
    result: record.result,
  };
}

/** SHA-256, hex, of the canonical JSON of the payload. */
export function payloadSha256Of(record: EvidencePayloadFields): string {
  return createHash('sha256')
    .update(canonicalJson(evidencePayloadOf(record)))
    .digest('hex');
}
