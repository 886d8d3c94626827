import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { EvidenceRecord } from './evidence.types';
import { StoredEvidence, StoredEvidenceSummary } from './stored-evidence';

const EVIDENCE_COLUMNS = `id, org_id, check_id, check_version, criteria, period_start, period_end, collected_at, source,
  query_params, population_count, result, population, exceptions, summary, payload_sha256, job_run_id`;

/** Everything but the population and exceptions, whose size the list only counts. */
const EVIDENCE_SUMMARY_COLUMNS = `id, org_id, check_id, check_version, criteria, period_start, period_end, collected_at, source,
  query_params, population_count, result, jsonb_array_length(exceptions) as exception_count, summary, payload_sha256, job_run_id`;

/** What the evidence list filters on. */
export interface EvidenceFilters {
  readonly checkId?: string;
  readonly criterion?: string;
  readonly from?: Date;
  readonly to?: Date;
}

/** The SQL that stores and reads an org's evidence; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class EvidenceRepository {
  /** One collection's records in one statement. */
  async insertAll(em: EntityManager, records: readonly EvidenceRecord[]): Promise<void> {
    if (records.length === 0) return;
    const row =
      '(?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)';
    await em.execute(
      `insert into compliance_evidence (id, org_id, check_id, check_version, criteria, period_start, period_end, collected_at, source,
         query_params, population_count, result, population, exceptions, summary, payload_sha256, job_run_id)
       values ${records.map(() => row).join(', ')}`,
      records.flatMap((record) => [
        record.id,
        record.orgId,
        record.checkId,
        record.checkVersion,
        JSON.stringify(record.criteria),
        record.periodStart,
        record.periodEnd,
        record.collectedAt,
        record.source,
        JSON.stringify(record.queryParams),
        record.populationCount,
        record.result,
        JSON.stringify(record.population),
        JSON.stringify(record.exceptions),
        JSON.stringify(record.summary),
        record.payloadSha256,
        record.jobRunId ?? null,
      ]),
    );
  }

  /** Newest first (ids are UUIDv7, so id order is collection order): up to `limit` items with ids below `beforeId`. */
  async page(
    em: EntityManager,
    orgId: string,
    filters: EvidenceFilters,
    beforeId: string | undefined,
    limit: number,
  ): Promise<StoredEvidenceSummary[]> {
    const where = ['org_id = ?'];
    const params: unknown[] = [orgId];
    const conditions: [string, unknown][] = [
      ['check_id = ?', filters.checkId],
      ['? = any(criteria)', filters.criterion],
      ['collected_at >= ?', filters.from],
      ['collected_at < ?', filters.to],
      ['id < ?', beforeId],
    ];
    for (const [condition, value] of conditions) {
      if (value === undefined) continue;
      where.push(condition);
      params.push(value);
    }
    const rows = await em.execute<StoredRow<StoredEvidenceSummary>[]>(
      `select ${EVIDENCE_SUMMARY_COLUMNS} from compliance_evidence where ${where.join(' and ')} order by id desc limit ?`,
      [...params, limit],
    );
    return rows.map(withDates);
  }

  async byId(em: EntityManager, orgId: string, id: string): Promise<StoredEvidence | undefined> {
    const [row] = await em.execute<StoredRow<StoredEvidence>[]>(
      `select ${EVIDENCE_COLUMNS} from compliance_evidence where org_id = ? and id = ?`,
      [orgId, id],
    );
    return row && withDates(row);
  }
}

type EvidenceDates = Pick<StoredEvidence, 'period_start' | 'period_end' | 'collected_at'>;

function withDates<Row extends StoredRow<EvidenceDates>>(row: Row): Omit<Row, keyof EvidenceDates> & EvidenceDates {
  return {
    ...row,
    period_start: new Date(row.period_start),
    period_end: new Date(row.period_end),
    collected_at: new Date(row.collected_at),
  };
}
