import { EvidenceRow } from './evidence-check';
import { EvidenceRecord } from './evidence.types';

/** A `compliance_evidence` row as EvidenceRepository returns it (timestamps as `Date`, jsonb parsed). */
export interface StoredEvidence {
  id: string;
  org_id: string;
  check_id: string;
  check_version: number;
  criteria: string[];
  period_start: Date;
  period_end: Date;
  collected_at: Date;
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

export function evidenceRecordOf(row: StoredEvidence): EvidenceRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    checkId: row.check_id,
    checkVersion: row.check_version,
    criteria: row.criteria,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    collectedAt: row.collected_at,
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
