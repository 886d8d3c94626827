import { Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { TenantDatabase } from '../../tenancy';

/** Ticks not run because the same job's previous run still held its lease (counted once per tick across the cluster). */
export function skippedTicksCounter(): Counter {
  return (
    (register.getSingleMetric('atrium_job_skipped_ticks_total') as Counter | undefined) ??
    new Counter({
      name: 'atrium_job_skipped_ticks_total',
      help: 'Scheduled ticks not run because the previous run of the job still held its lease',
      labelNames: ['job'],
    })
  );
}

export type LeaseAttempt =
  | { readonly acquired: true; readonly lease: JobLease }
  /** Held by another run: `heldFor` is the tick that run is for (null for a manual run). */
  | { readonly acquired: false; readonly heldFor: Date | null };

/**
 * A job's exclusive right to run, as a row in `job_leases` with an expiry rather than an idle
 * transaction pinning a pooled connection for the whole run. The holder renews it every third of
 * its length (the heartbeat); a holder that stops renewing (frozen, partitioned, killed) loses it
 * once it expires, and the next tick on any instance takes it over. A healthy run, however long,
 * keeps it.
 */
export class JobLease {
  private readonly logger = new Logger('JobLease');
  private heartbeat?: NodeJS.Timeout;
  private lost = false;

  private constructor(
    private readonly database: TenantDatabase,
    readonly job: string,
    readonly runId: string,
    private readonly ttlMs: number,
  ) {}

  static async acquire(
    database: TenantDatabase,
    job: string,
    runId: string,
    holder: string,
    scheduledFor: Date | null,
    ttlMs: number,
  ): Promise<LeaseAttempt> {
    return database.global(async (em) => {
      const taken = await em.execute<{ run_id: string }[]>(
        `insert into job_leases as l (job, holder, run_id, scheduled_for, expires_at)
         values (?, ?, ?, ?, now() + make_interval(secs => ?))
         on conflict (job) do update set holder = excluded.holder, run_id = excluded.run_id,
           scheduled_for = excluded.scheduled_for, acquired_at = now(), expires_at = excluded.expires_at
         where l.expires_at < now()
         returning run_id`,
        [job, holder, runId, scheduledFor, ttlMs / 1000],
      );
      if (taken.length > 0) return { acquired: true, lease: new JobLease(database, job, runId, ttlMs).keepAlive() } as const;
      const [current] = await em.execute<{ scheduled_for: string | Date | null }[]>('select scheduled_for from job_leases where job = ?', [
        job,
      ]);
      const heldFor = current?.scheduled_for ? new Date(current.scheduled_for) : null;
      return { acquired: false, heldFor } as const;
    });
  }

  /** Records that `tick` was skipped; true for the one instance that records it first. */
  static async markSkipped(database: TenantDatabase, job: string, tick: Date): Promise<boolean> {
    const rows = await database.global((em) =>
      em.execute<{ job: string }[]>(
        'update job_leases set skipped_through = ? where job = ? and (skipped_through is null or skipped_through < ?) returning job',
        [tick, job, tick],
      ),
    );
    return rows.length > 0;
  }

  /** Whether the lease expired under this run (its heartbeat failed for longer than the lease). */
  get wasLost(): boolean {
    return this.lost;
  }

  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.database.global((em) => em.execute('delete from job_leases where job = ? and run_id = ?', [this.job, this.runId]));
  }

  private keepAlive(): this {
    this.heartbeat = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref();
    return this;
  }

  private async renew(): Promise<void> {
    try {
      const renewed = await this.database.global((em) =>
        em.execute<{ job: string }[]>(
          'update job_leases set expires_at = now() + make_interval(secs => ?) where job = ? and run_id = ? returning job',
          [this.ttlMs / 1000, this.job, this.runId],
        ),
      );
      if (renewed.length === 0 && !this.lost) {
        this.lost = true;
        clearInterval(this.heartbeat);
        this.logger.error({ job: this.job, runId: this.runId }, 'job lease lost: another instance may run this job now');
      }
    } catch (error) {
      this.logger.warn({ err: error, job: this.job }, 'job lease heartbeat failed; retrying');
    }
  }
}
