import { EvidenceRow } from './evidence-check';
import { EvidenceRecord } from './evidence.types';

/** A `compliance_evidence` row as the driver returns it (timestamps as text, jsonb parsed). */
export interface StoredEvidence {
  id: string;
  org_id: string;
  check_id: string;
  check_version: number;
  criteria: string[];
  period_start: string | Date;
  period_end: string | Date;
  collected_at: string | Date;
  source: string;
  query_params: Record<string, unknown>;
  population_count: number;
  result: EvidenceRecord['result'];
  population: EvidenceRow[];
  exceptions: EvidenceRow[];
  summary: EvidenceRow;
  payload_sha256: string;
  job_run_id: string | null;
}

/** The list reads everything but the population and exceptions, whose size it only counts. */
export type StoredEvidenceSummary = Omit<StoredEvidence, 'population' | 'exceptions'> & { exception_count: number };

export const EVIDENCE_COLUMNS = `id, org_id, check_id, check_version, criteria, period_start, period_end, collected_at, source,
  query_params, population_count, result, population, exceptions, summary, payload_sha256, job_run_id`;

export const EVIDENCE_SUMMARY_COLUMNS = `id, org_id, check_id, check_version, criteria, period_start, period_end, collected_at, source,
  query_params, population_count, result, jsonb_array_length(exceptions) as exception_count, summary, payload_sha256, job_run_id`;

export function evidenceRecordOf(row: StoredEvidence): EvidenceRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    checkId: row.check_id,
    checkVersion: row.check_version,
    criteria: row.criteria,
    periodStart: new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    collectedAt: new Date(row.collected_at),
    source: row.source,
    queryParams: row.query_params,
    populationCount: row.population_count,
    result: row.result,
    population: row.population,
    exceptions: row.exceptions,
    summary: row.summary,
    payloadSha256: row.payload_sha256,
    jobRunId: row.job_run_id,
  };
}
