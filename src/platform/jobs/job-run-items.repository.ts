import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { JobCounts } from './jobs.service';

export type ItemState = 'queued' | 'active' | 'done' | 'dead';

/** Where a fanned-out run stands: organizations per state. */
export interface RunProgress {
  readonly total: number;
  readonly queued: number;
  readonly active: number;
  readonly done: number;
  readonly dead: number;
}

/** A job run as `npm run job -- --runs` lists it. */
export interface RecentRun {
  readonly id: string;
  readonly job: string;
  readonly trigger: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: string;
  readonly counts: JobCounts;
  readonly error: string | null;
}

/** The SQL of `job_run_items`: one row per organization of a fanned-out run (global, like job_runs). */
@Injectable()
export class JobRunItemsRepository {
  /** One queued row per organization, and the run's total, in the caller's transaction. */
  async create(em: EntityManager, runId: string, orgIds: readonly string[]): Promise<void> {
    await em.execute(
      `insert into job_run_items (run_id, org_id)
       select ?, value::uuid from jsonb_array_elements_text(?::jsonb) on conflict do nothing`,
      [runId, JSON.stringify(orgIds)],
    );
    await em.execute('update job_runs set items_total = ? where id = ?', [orgIds.length, runId]);
  }

  /**
   * Marks an attempt as started; false when the item is already finished (done or dead), so a
   * redelivered item is skipped before any work.
   */
  async start(em: EntityManager, runId: string, orgId: string, instance: string): Promise<boolean> {
    const rows = await em.execute<{ attempts: number }[]>(
      `update job_run_items set state = 'active', attempts = attempts + 1, instance = ?, updated_at = now()
       where run_id = ? and org_id = ? and state in ('queued', 'active') returning attempts`,
      [instance, runId, orgId],
    );
    return rows.length > 0;
  }

  /**
   * Marks the item done with its counts; false when another attempt already did, or the item was
   * dead-lettered meanwhile (this attempt's transaction must then roll back: the run counts the org failed). The row lock makes a concurrent attempt wait for the first
   * one's commit and then find it done.
   */
  async finish(em: EntityManager, runId: string, orgId: string, counts: JobCounts): Promise<boolean> {
    const rows = await em.execute<{ org_id: string }[]>(
      `update job_run_items set state = 'done', counts = ?, error = null, updated_at = now()
       where run_id = ? and org_id = ? and state in ('queued', 'active') returning org_id`,
      [JSON.stringify(counts), runId, orgId],
    );
    return rows.length > 0;
  }

  /** Records why the latest attempt failed (it stays active until retried or dead-lettered). */
  async recordError(em: EntityManager, runId: string, orgId: string, error: string): Promise<void> {
    await em.execute(`update job_run_items set error = ?, updated_at = now() where run_id = ? and org_id = ? and state <> 'done'`, [
      error.slice(0, 2000),
      runId,
      orgId,
    ]);
  }

  /** The item's retries are spent: the run counts the organization as failed. False if it was done. */
  async markDead(em: EntityManager, runId: string, orgId: string, error: string | null): Promise<boolean> {
    const rows = await em.execute<{ org_id: string }[]>(
      `update job_run_items set state = 'dead', error = coalesce(?, error), updated_at = now()
       where run_id = ? and org_id = ? and state <> 'done' returning org_id`,
      [error?.slice(0, 2000) ?? null, runId, orgId],
    );
    return rows.length > 0;
  }

  async progress(em: EntityManager, runId: string): Promise<RunProgress> {
    const rows = await em.execute<{ state: ItemState; n: string }[]>(
      'select state, count(*) as n from job_run_items where run_id = ? group by state',
      [runId],
    );
    const by = (state: ItemState): number => Number(rows.find((row) => row.state === state)?.n ?? 0);
    const progress = { queued: by('queued'), active: by('active'), done: by('done'), dead: by('dead') };
    return { ...progress, total: progress.queued + progress.active + progress.done + progress.dead };
  }

  /** Writes where a running run stands into its job_runs record (the one place runs are listed). */
  async recordProgress(em: EntityManager, runId: string, progress: RunProgress): Promise<void> {
    await em.execute(`update job_runs set counts = ? where id = ? and outcome = 'running'`, [
      JSON.stringify({
        organizations: progress.total,
        done: progress.done,
        active: progress.active,
        queued: progress.queued,
        dead: progress.dead,
      }),
      runId,
    ]);
  }

  /** The latest runs (of one job, or all), newest first, with their counts (a running one's progress). */
  async recentRuns(em: EntityManager, job: string | null, limit: number): Promise<RecentRun[]> {
    const rows = await em.execute<
      {
        id: string;
        job: string;
        trigger: string;
        started_at: string;
        finished_at: string | null;
        outcome: string;
        counts: JobCounts;
        error: string | null;
      }[]
    >(
      `select id, job, trigger, started_at, finished_at, outcome, counts, error from job_runs
       where (?::text is null or job = ?) order by started_at desc limit ?`,
      [job, job, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      job: row.job,
      trigger: row.trigger,
      startedAt: new Date(row.started_at),
      finishedAt: row.finished_at ? new Date(row.finished_at) : null,
      outcome: row.outcome,
      counts: row.counts,
      error: row.error,
    }));
  }

  /** The sum of each count over the run's done items (a key any item reported is present, 0 or more). */
  async totals(em: EntityManager, runId: string): Promise<JobCounts> {
    const rows = await em.execute<{ key: string; total: string }[]>(
      `select c.key, sum(c.value::numeric) as total
       from job_run_items i, jsonb_each_text(i.counts) c
       where i.run_id = ? and i.state = 'done' group by c.key order by c.key`,
      [runId],
    );
    return Object.fromEntries(rows.map((row) => [row.key, Number(row.total)]));
  }

  /** Organizations whose retries ran out, with the last error: what the failed run names. */
  async dead(em: EntityManager, runId: string, limit: number): Promise<{ orgId: string; error: string | null }[]> {
    const rows = await em.execute<{ org_id: string; error: string | null }[]>(
      `select org_id, error from job_run_items where run_id = ? and state = 'dead' order by org_id limit ?`,
      [runId, limit],
    );
    return rows.map((row) => ({ orgId: row.org_id, error: row.error }));
  }
}
