/** What one evidence check produced for one org and period: the shape reports are built from. */
export interface EvidenceRecord {
  readonly id: string;
  readonly orgId: string;
  readonly checkId: string;
  readonly checkVersion: number;
  /** SOC 2 trust services criteria the check supports, e.g. ['CC6.1', 'CC6.3']. */
  readonly criteria: readonly string[];
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly collectedAt: Date;
  /** Where the data came from, e.g. 'postgresql:memberships'. */
  readonly source: string;
  readonly queryParams: Readonly<Record<string, unknown>>;
  readonly populationCount: number;
  readonly result: 'pass' | 'fail' | 'exceptions';
  /** The complete population: one flat object per row (CSV-able: string/number/boolean/null values). */
  readonly population: readonly Readonly<Record<string, string | number | boolean | null>>[];
  /** The rows of the population that are exceptions, with a `reason` each. */
  readonly exceptions: readonly Readonly<Record<string, string | number | boolean | null>>[];
  /** Headline figures for the report summary, e.g. { members: 4, privileged: 2 }. */
  readonly summary: Readonly<Record<string, string | number | boolean | null>>;
  /** SHA-256 hex of the canonical JSON of { checkId, checkVersion, criteria, period, population, exceptions, summary, result }. */
  readonly payloadSha256: string;
  /** The `job_runs` id when the scheduled job collected it; null when collected on request. */
  readonly jobRunId?: string | null;
}

export interface EvidencePeriod {
  readonly start: Date;
  readonly end: Date;
}
