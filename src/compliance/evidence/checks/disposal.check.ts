import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, isoOf, periodParams, resultOf } from '../evidence-check';
import { EvidenceChecksRepository } from './evidence-checks.repository';

/**
 * C1.2 / P4.2 / P4.3: data past retention is disposed of on schedule (retention runs started in
 * the period, their outcome and what they deleted or anonymised, in counts) except where a legal
 * hold suspends it (holds active at the end of the period, or placed or released in it).
 * Exceptions: failed runs. Holds carry no reason text and no contact id: a hold's reason is free
 * text that may name a data subject, and evidence holds no data-subject personal data.
 */
@Injectable()
export class DisposalCheck implements EvidenceCheck {
  readonly id = 'disposal';
  readonly version = 1;
  readonly criteria = ['C1.2', 'P4.2', 'P4.3'];
  readonly description = 'Retention runs in the period with outcome and counts, and legal holds active or changed in the period';

  constructor(private readonly repository: EvidenceChecksRepository) {}

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const runs = await this.repository.retentionRuns(em, orgId, period);
    const holds = await this.repository.holds(em, orgId, period);
    const runRows: EvidenceRow[] = runs.map((run) => ({
      kind: 'retention-run',
      id: run.id,
      status: run.outcome,
      startedAt: isoOf(run.started_at),
      finishedAt: isoOf(run.finished_at),
      durationMs: run.duration_ms,
      scope: null,
      affectedRows: totalOf(run.counts),
      detail: countsText(run.counts),
    }));
    const holdRows: EvidenceRow[] = holds.map((hold) => ({
      kind: 'legal-hold',
      id: hold.id,
      status: hold.released_at !== null && hold.released_at < period.end ? 'released' : 'active',
      startedAt: isoOf(hold.created_at),
      finishedAt: isoOf(hold.released_at),
      durationMs: null,
      scope: hold.category ? `${hold.scope}:${hold.category}` : hold.scope,
      affectedRows: null,
      detail: null,
    }));
    const exceptions = runRows
      .filter((row) => row.status === 'failed')
      .map((row) => ({ id: row.id, startedAt: row.startedAt, reason: 'retention run failed' }));
    return {
      source: 'postgresql:retention_runs,legal_holds',
      queryParams: { orgId, ...periodParams(period) },
      population: [...runRows, ...holdRows],
      exceptions,
      summary: {
        retentionRuns: runs.length,
        retentionRunsSucceeded: runs.filter((run) => run.outcome === 'succeeded').length,
        retentionRunsFailed: runs.filter((run) => run.outcome === 'failed').length,
        retentionRunsRunning: runs.filter((run) => run.outcome === 'running').length,
        rowsDisposed: runRows.reduce((sum, row) => sum + ((row.affectedRows as number | null) ?? 0), 0),
        legalHoldsActive: holdRows.filter((row) => row.status === 'active').length,
        legalHoldsPlaced: holds.filter((hold) => hold.created_at >= period.start).length,
        legalHoldsReleased: holdRows.filter((row) => row.status === 'released').length,
      },
      result: resultOf(exceptions),
    };
  }
}

/** A run's counts are numbers by category (rows deleted or anonymised); anything else is not a count. */
function numericCounts(counts: Record<string, unknown> | null): [string, number][] {
  return Object.entries(counts ?? {})
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function totalOf(counts: Record<string, unknown> | null): number {
  return numericCounts(counts).reduce((sum, [, count]) => sum + count, 0);
}

function countsText(counts: Record<string, unknown> | null): string {
  return numericCounts(counts)
    .map(([name, count]) => `${name}=${count}`)
    .join(' ');
}
