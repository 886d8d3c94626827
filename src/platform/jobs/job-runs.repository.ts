import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The SQL of `job_runs` and `job_leases`: the cluster-wide record of job runs and each job's lease (global tables). */
@Injectable()
export class JobRunsRepository {
  /** Every organization's id, in id order: what a job that acts per org walks. */
  async organizationIds(em: EntityManager): Promise<string[]> {
    return (await em.execute<{ id: string }[]>('select id from organizations order by id')).map((row) => row.id);
  }

  /** Claims the tick for this run; false when a run of this job already claimed it. */
  async claimTick(
    em: EntityManager,
    run: { id: string; job: string; trigger: 'schedule' | 'manual'; scheduledFor: Date | null; instance: string },
  ): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `insert into job_runs (id, job, trigger, scheduled_for, instance) values (?, ?, ?, ?, ?)
       on conflict (job, scheduled_for) do nothing returning id`,
      [run.id, run.job, run.trigger, run.scheduledFor, run.instance],
    );
    return rows.length > 0;
  }

  /**
   * Records the run's end only while its lease row is still its own (locked, so a takeover waits
   * for this write): a run that was replaced never records a success or failure. False if not.
   */
  async finish(
    em: EntityManager,
    run: { id: string; job: string },
    outcome: 'succeeded' | 'failed',
    counts: Record<string, number>,
    error: string | null,
  ): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `update job_runs set finished_at = now(), outcome = ?, counts = ?, error = ?
       where id = ? and exists (select 1 from job_leases where job = ? and run_id = ? for share)
       returning id`,
      [outcome, JSON.stringify(counts), error, run.id, run.job, run.id],
    );
    return rows.length > 0;
  }

  async finishLost(em: EntityManager, runId: string, error: string): Promise<void> {
    await em.execute(`update job_runs set finished_at = now(), outcome = 'lost', error = ? where id = ? and outcome = 'running'`, [
      error.slice(0, 2000),
      runId,
    ]);
  }

  /** Each job's last successful run's end. */
  async lastSuccesses(em: EntityManager): Promise<{ job: string; at: Date }[]> {
    const rows = await em.execute<{ job: string; at: string }[]>(
      `select job, max(finished_at) as at from job_runs where outcome = 'succeeded' group by job`,
    );
    return rows.map((row) => ({ job: row.job, at: new Date(row.at) }));
  }

  /** Takes the job's lease unless another run holds an unexpired one; true when this run now holds it. */
  async takeLease(
    em: EntityManager,
    lease: { job: string; holder: string; runId: string; scheduledFor: Date | null; ttlSeconds: number },
  ): Promise<boolean> {
    const taken = await em.execute<{ run_id: string }[]>(
      `insert into job_leases as l (job, holder, run_id, scheduled_for, expires_at)
       values (?, ?, ?, ?, now() + make_interval(secs => ?))
       on conflict (job) do update set holder = excluded.holder, run_id = excluded.run_id,
         scheduled_for = excluded.scheduled_for, acquired_at = now(), expires_at = excluded.expires_at
       where l.expires_at < now()
       returning run_id`,
      [lease.job, lease.holder, lease.runId, lease.scheduledFor, lease.ttlSeconds],
    );
    return taken.length > 0;
  }

  /** The tick the job's current lease holder runs (null for a manual run, or no holder). */
  async leaseTick(em: EntityManager, job: string): Promise<Date | null> {
    const [current] = await em.execute<{ scheduled_for: string | Date | null }[]>('select scheduled_for from job_leases where job = ?', [
      job,
    ]);
    return current?.scheduled_for ? new Date(current.scheduled_for) : null;
  }

  /** Records that `tick` was skipped; true for the one instance that records it first. */
  async markSkipped(em: EntityManager, job: string, tick: Date): Promise<boolean> {
    const rows = await em.execute<{ job: string }[]>(
      'update job_leases set skipped_through = ? where job = ? and (skipped_through is null or skipped_through < ?) returning job',
      [tick, job, tick],
    );
    return rows.length > 0;
  }

  async renewLease(em: EntityManager, job: string, runId: string, ttlSeconds: number): Promise<boolean> {
    const renewed = await em.execute<{ job: string }[]>(
      'update job_leases set expires_at = now() + make_interval(secs => ?) where job = ? and run_id = ? returning job',
      [ttlSeconds, job, runId],
    );
    return renewed.length > 0;
  }

  async releaseLease(em: EntityManager, job: string, runId: string): Promise<void> {
    await em.execute('delete from job_leases where job = ? and run_id = ?', [job, runId]);
  }
}
