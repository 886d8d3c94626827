import { ApiAnswer } from './api-client';

/** What one phase of the load counted. Every figure the run fails on is here. */
export class Tally {
  requests = 0;
  /** Answers that were not the expected status (any non-2xx but a cross-tenant probe's 404), and requests without an answer. */
  failed = 0;
  /** A writer's list or search, right after its create, that did not show the contact it had just created. */
  staleReads = 0;
  /** Contact rows of another org in an answer (by their org marker), and cross-tenant probes answered 200. */
  crossTenantRows = 0;
  rowsChecked = 0;
  writerReadbacks = 0;
  crossProbes = 0;
  readonly latencies: number[] = [];
  readonly failuresByKind = new Map<string, number>();
  readonly samples: string[] = [];
  private readonly startedAt = performance.now();
  private endedAt?: number;

  constructor(
    readonly phase: string,
    private readonly clock: () => number,
  ) {}

  /** Counts one answer; false (and a failure recorded) when its status is not `expected`. */
  answered(operation: string, answer: ApiAnswer, expected: number): boolean {
    this.requests += 1;
    this.latencies.push(answer.ms);
    if (answer.status === expected) return true;
    this.failed += 1;
    const code = typeof answer.body === 'object' && answer.body ? (answer.body.code ?? '') : String(answer.body ?? '').slice(0, 60);
    const kind = `${operation} ${answer.status} ${code}`.trim();
    this.failuresByKind.set(kind, (this.failuresByKind.get(kind) ?? 0) + 1);
    this.sample(`failed: ${kind}`);
    return false;
  }

  /** A 2xx whose body is not what the route documents: failed too. */
  malformed(detail: string): void {
    this.failed += 1;
    this.sample(`failed: ${detail}`);
  }

  stale(detail: string): void {
    this.staleReads += 1;
    this.sample(`stale read by the writer: ${detail}`);
  }

  foreign(detail: string): void {
    this.crossTenantRows += 1;
    this.sample(`cross-tenant row: ${detail}`);
  }

  end(): void {
    this.endedAt = performance.now();
  }

  get seconds(): number {
    return ((this.endedAt ?? performance.now()) - this.startedAt) / 1000;
  }

  get rps(): number {
    return this.requests / this.seconds;
  }

  percentile(p: number): number {
    if (this.latencies.length === 0) return 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  }

  private sample(line: string): void {
    if (this.samples.length < 20) this.samples.push(`t=${this.clock().toFixed(1)}s ${this.phase}: ${line}`);
  }
}
