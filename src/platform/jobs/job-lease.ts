import { Logger } from '@nestjs/common';
import { TenantDatabase } from '../../tenancy';
import { JobRunsRepository } from './job-runs.repository';

/** Thrown at a run's next check once its lease is lost: the run stops and is recorded as `lost`. */
export class JobLeaseLostError extends Error {
  override readonly name = 'JobLeaseLostError';
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
 *
 * A holder that lost it must stop, or two runs work at once: `signal` aborts when a renewal finds
 * the row taken, or when the lease's length passed, on this process's monotonic clock, since the
 * last renewal was sent (a heartbeat that cannot reach PostgreSQL, or a process thawing after a
 * freeze, whose timers have not run yet). The database's expiry is counted from later than that
 * send, so the holder gives up no later than a replacement can take over.
 */
export class JobLease {
  private readonly logger = new Logger('JobLease');
  private readonly controller = new AbortController();
  private heartbeat?: NodeJS.Timeout;
  private released = false;

  private constructor(
    private readonly database: TenantDatabase,
    private readonly runs: JobRunsRepository,
    readonly job: string,
    readonly runId: string,
    private readonly ttlMs: number,
    /** performance.now() by which a renewal must have been sent: the lease may be gone after it. */
    private heldUntil: number,
  ) {}

  static async acquire(
    database: TenantDatabase,
    runs: JobRunsRepository,
    job: string,
    runId: string,
    holder: string,
    scheduledFor: Date | null,
    ttlMs: number,
  ): Promise<LeaseAttempt> {
    const sentAt = performance.now();
    return database.global(async (em) => {
      if (await runs.takeLease(em, { job, holder, runId, scheduledFor, ttlSeconds: ttlMs / 1000 })) {
        return { acquired: true, lease: new JobLease(database, runs, job, runId, ttlMs, sentAt + ttlMs).keepAlive() } as const;
      }
      return { acquired: false, heldFor: await runs.leaseTick(em, job) } as const;
    });
  }

  /** Records that `tick` was skipped; true for the one instance that records it first. */
  static async markSkipped(database: TenantDatabase, runs: JobRunsRepository, job: string, tick: Date): Promise<boolean> {
    return database.global((em) => runs.markSkipped(em, job, tick));
  }

  /** Aborted, with a JobLeaseLostError as its reason, once this run may no longer hold the lease. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws JobLeaseLostError if the lease is lost or may have expired: a run calls it before each unit of work. */
  assertHeld(): void {
    this.checkExpiry();
    this.controller.signal.throwIfAborted();
  }

  async release(): Promise<void> {
    // Set first: a renewal in flight now finds no row, which is this release, not a lost lease.
    this.released = true;
    clearInterval(this.heartbeat);
    await this.database.global((em) => this.runs.releaseLease(em, this.job, this.runId));
  }

  private keepAlive(): this {
    this.heartbeat = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref();
    return this;
  }

  private async renew(): Promise<void> {
    if (this.checkExpiry()) return;
    const sentAt = performance.now();
    try {
      const renewed = await this.database.global((em) => this.runs.renewLease(em, this.job, this.runId, this.ttlMs / 1000));
      if (this.released || this.signal.aborted) return;
      if (!renewed) this.lose('another run holds it now');
      else this.heldUntil = Math.max(this.heldUntil, sentAt + this.ttlMs);
    } catch (error) {
      if (this.released || this.signal.aborted) return;
      if (!this.checkExpiry()) this.logger.warn({ err: error, job: this.job }, 'job lease heartbeat failed; retrying');
    }
  }

  /** Loses the lease once its length passed since the last renewal was sent; true if lost. */
  private checkExpiry(): boolean {
    if (!this.released && !this.signal.aborted && performance.now() >= this.heldUntil) {
      this.lose('it was not renewed within its length');
    }
    return this.signal.aborted;
  }

  private lose(why: string): void {
    clearInterval(this.heartbeat);
    this.controller.abort(new JobLeaseLostError(`The ${this.job} job lost its lease (${why}); another run may have taken it over`));
    this.logger.error({ job: this.job, runId: this.runId, reason: why }, 'job lease lost: this run stops at its next check');
  }
}
