import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** One org's retention run as the job records it. */
export interface RetentionRunStart {
  readonly runId: string;
  readonly orgId: string;
  readonly jobRunId: string | null;
  readonly startedAt: Date;
}

export interface RetentionRunEnd extends RetentionRunStart {
  readonly outcome: 'succeeded' | 'failed';
  readonly counts: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly error: string | null;
}

/** The SQL of `retention_runs`; each call runs in the job's transaction for the org. */
@Injectable()
export class RetentionRunsRepository {
  async start(em: EntityManager, run: RetentionRunStart): Promise<void> {
    await em.execute(`insert into retention_runs (id, org_id, job_run_id, started_at, outcome) values (?, ?, ?, ?, 'running')`, [
      run.runId,
      run.orgId,
      run.jobRunId,
      run.startedAt,
    ]);
  }

  /** Records how the run ended; inserts it when its start was never recorded (the first transaction failed). */
  async finish(em: EntityManager, run: RetentionRunEnd): Promise<void> {
    await em.execute(
      `insert into retention_runs (id, org_id, job_run_id, started_at, finished_at, outcome, counts, duration_ms, error)
           values (?, ?, ?, ?, now(), ?, ?::jsonb, ?, ?)
           on conflict (id) do update set finished_at = excluded.finished_at, outcome = excluded.outcome, counts = excluded.counts,
             duration_ms = excluded.duration_ms, error = excluded.error`,
      [run.runId, run.orgId, run.jobRunId, run.startedAt, run.outcome, JSON.stringify(run.counts), run.durationMs, run.error],
    );
  }
}
