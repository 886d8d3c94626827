import { EntityManager } from '@mikro-orm/postgresql';
import { EvidencePeriod, EvidenceRecord } from './evidence.types';

export type EvidenceValue = string | number | boolean | null;
/** One flat, CSV-able row: the report prints a check's population as a table. */
export type EvidenceRow = Readonly<Record<string, EvidenceValue>>;

/** What one check found for one org and period; the collection adds ids, times and the payload hash. */
export interface CheckOutcome {
  readonly source: string;
  readonly queryParams: Readonly<Record<string, unknown>>;
  readonly population: readonly EvidenceRow[];
  readonly exceptions: readonly EvidenceRow[];
  readonly summary: EvidenceRow;
  readonly result: EvidenceRecord['result'];
}

/**
 * One SOC 2 control test. `collect` runs inside a transaction bound to the org (row-level
 * security applies) and must only read. Bump `version` whenever what it collects or how it judges
 * changes, so evidence collected under different rules is never compared as if it were the same.
 */
export interface EvidenceCheck {
  readonly id: string;
  readonly version: number;
  /** SOC 2 trust services criteria (2017, revised points of focus 2022) the check supports. */
  readonly criteria: readonly string[];
  readonly description: string;
  collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome>;
}

/** Every check class, resolved as one array under this token. */
export const EVIDENCE_CHECKS = Symbol('EVIDENCE_CHECKS');

export const DAY_MS = 86_400_000;

/** Timestamps arrive from the driver as text (date parsing is off) or as Date; evidence stores ISO 8601. */
export function isoOf(value: string | Date): string;
export function isoOf(value: string | Date | null): string | null;
export function isoOf(value: string | Date | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Whole days from `from` to `to` (floored; never negative). */
export function wholeDaysBetween(from: string | Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - new Date(from).getTime()) / DAY_MS));
}

/** `pass` when nothing was found wrong, `exceptions` otherwise; checks that can fail outright decide that themselves. */
export function resultOf(exceptions: readonly unknown[]): EvidenceRecord['result'] {
  return exceptions.length > 0 ? 'exceptions' : 'pass';
}

/** Period bounds as query parameters, stated the same way in every record. */
export function periodParams(period: EvidencePeriod): { periodStart: string; periodEnd: string } {
  return { periodStart: period.start.toISOString(), periodEnd: period.end.toISOString() };
}
