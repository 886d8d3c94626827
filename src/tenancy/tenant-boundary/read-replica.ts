import { EntityManager, MikroORM, Options } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { classifyDependencyError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { OrmModel, createOrmOptions } from '../../database';
import { installTransactionPrelude } from './transaction-prelude';
import { WalPosition, walPositionOf } from './wal-position';

export type ReplicaState = 'up' | 'lagging' | 'down';

/** Why a read meant for the replica went to the primary. */
export const REPLICA_FALLBACK_REASONS = ['down', 'lagging', 'failed', 'read_your_writes', 'writes_unknown'] as const;
export type ReplicaFallbackReason = (typeof REPLICA_FALLBACK_REASONS)[number];

export interface ReplicaStatus {
  readonly state: ReplicaState;
  /** Replay lag at the last probe: 0 when the replica had replayed everything the primary had written. */
  readonly lagSeconds?: number;
  /** Why it is down; absent otherwise. */
  readonly reason?: string;
}

/** The lag probe's period; readiness and the lag gauge report its latest result. */
const PROBE_EVERY_MS = 1_000;
/** A probe (or a replay-position refresh) unanswered after this long counts as failed. */
const PROBE_TIMEOUT_MS = 1_000;
/** A replay position this fresh is trusted as is; an older one is re-read when a read needs a newer one. */
const REPLAY_POSITION_FRESH_MS = 20;
/** A down replica must not make reads wait: connections to it give up quickly (the primary then serves). */
const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

const REPLICA_PROBE = `select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed,
  extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as since_last_replay`;
const REPLAY_POSITION = 'select pg_last_wal_replay_lsn()::text as replayed';
const PRIMARY_POSITION = 'select pg_current_wal_lsn()::text as written';

/**
 * The streaming read replica (DATABASE_REPLICA_URL) behind list, search, export and report reads.
 *
 * It is a second MikroORM instance over the same model rather than MikroORM's own `replicas`
 * option: that option runs every statement inside a transaction on the primary, and a tenant read
 * must be a transaction (its first statement sets the runtime role, the statement timeout and the
 * org transaction-locally, for RLS), so `replicas` would never serve one; and it has no notion of
 * lag or of a replica that is down. A second instance gives replica reads the very same unit of
 * work, tenant filter and transaction prelude as primary reads, on a pool of their own.
 *
 * A probe every second reads the replay lag and position; reads go to the primary while the
 * replica is down, is not a standby, or lags beyond DATABASE_REPLICA_MAX_LAG_MS.
 */
@Injectable()
export class ReadReplica implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReadReplica.name);
  private readonly orm: MikroORM | null;
  private readonly maxLagSeconds: number;
  private current: ReplicaStatus = { state: 'down', reason: 'not checked yet' };
  private replayed: { position: WalPosition; at: number } | null = null;
  private replayRefresh: Promise<void> | null = null;
  private probing = false;
  private timer?: NodeJS.Timeout;
  private readonly fallbackListeners = new Set<(reason: ReplicaFallbackReason) => void>();
  private readonly statusListeners = new Set<(status: ReplicaStatus) => void>();

  constructor(
    private readonly primary: MikroORM,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    const replica = config.database.replica;
    this.maxLagSeconds = (replica?.maxLagMs ?? 0) / 1000;
    this.orm = replica ? MikroORM.initSync(replicaOrmOptions(config, primary)) : null;
    if (this.orm) installTransactionPrelude(this.orm.em);
  }

  get configured(): boolean {
    return this.orm !== null;
  }

  /** The replica's entity manager (fork it per unit of work); null when no replica is configured. */
  get em(): EntityManager | null {
    return this.orm?.em ?? null;
  }

  status(): ReplicaStatus {
    return this.current;
  }

  /** The first probe is awaited (bounded), so readiness and routing start from a real state. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.orm) return;
    this.timer = setInterval(() => void this.probe(), PROBE_EVERY_MS).unref();
    await this.probe();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.orm?.close(true);
  }

  onFallback(listener: (reason: ReplicaFallbackReason) => void): void {
    this.fallbackListeners.add(listener);
  }

  /** Called with every probe's outcome (the lag gauge). */
  onStatus(listener: (status: ReplicaStatus) => void): void {
    this.statusListeners.add(listener);
  }

  fellBack(reason: ReplicaFallbackReason): void {
    for (const listener of this.fallbackListeners) listener(reason);
  }

  /**
   * Whether the replica has replayed the WAL up to `position`, so a transaction that committed
   * there is visible on it. Replay only moves forward, so a cached position at or past it is proof;
   * an older one is re-read (once for every concurrent caller) when more than a few ms old.
   */
  async hasReplayed(position: WalPosition): Promise<boolean> {
    if (this.replayed && this.replayed.position >= position) return true;
    if (!this.replayed || performance.now() - this.replayed.at > REPLAY_POSITION_FRESH_MS) {
      this.replayRefresh ??= this.refreshReplayPosition().finally(() => (this.replayRefresh = null));
      await this.replayRefresh;
    }
    return this.replayed !== null && this.replayed.position >= position;
  }

  /**
   * A replica read failed. An unavailable server marks the replica down until the next probe
   * answers; a statement cancelled by a recovery conflict or its timeout is retried on the primary
   * once. Returns whether the read should be retried on the primary; any other error is the
   * statement's own, which the primary would raise as well.
   */
  readFailed(error: unknown): boolean {
    const { code } = (error ?? {}) as { code?: unknown };
    if (classifyDependencyError(error)) {
      this.markDown('read failed');
    } else if (code !== '40001' && code !== '57014') {
      return false;
    }
    this.fellBack('failed');
    return true;
  }

  private async probe(): Promise<void> {
    if (!this.orm || this.probing) return;
    this.probing = true;
    try {
      // The primary's position first: a replica that has replayed it was fully caught up at that moment.
      const written = await withTimeout(this.primaryPosition().catch(() => undefined));
      const [row] = await withTimeout(this.orm.em.getConnection().execute<ProbeRow[]>(REPLICA_PROBE));
      if (!row?.standby) return this.markDown('not a standby');
      const replayed = walPositionOf(row.replayed);
      if (replayed !== undefined) this.replayed = { position: replayed, at: performance.now() };
      const caughtUp = replayed !== undefined && written !== undefined && replayed >= written;
      const lagSeconds = caughtUp ? 0 : Math.max(0, row.since_last_replay ?? Number.POSITIVE_INFINITY);
      const state: ReplicaState = lagSeconds > this.maxLagSeconds ? 'lagging' : 'up';
      this.report({ state, lagSeconds });
    } catch (error) {
      this.markDown(error instanceof ProbeTimeout ? 'no answer' : 'unreachable');
    } finally {
      this.probing = false;
    }
  }

  private async primaryPosition(): Promise<WalPosition | undefined> {
    const [row] = await this.primary.em.getConnection().execute<{ written: string }[]>(PRIMARY_POSITION);
    return walPositionOf(row?.written);
  }

  private async refreshReplayPosition(): Promise<void> {
    if (!this.orm || this.current.state === 'down') return;
    try {
      const [row] = await withTimeout(this.orm.em.getConnection().execute<{ replayed: string | null }[]>(REPLAY_POSITION));
      const replayed = walPositionOf(row?.replayed);
      if (replayed !== undefined) this.replayed = { position: replayed, at: performance.now() };
    } catch {
      // The read goes to the primary; the probe reports the replica's state.
    }
  }

  private markDown(reason: string): void {
    this.report({ state: 'down', reason });
  }

  private report(status: ReplicaStatus): void {
    if (status.state !== this.current.state) {
      const detail = status.state === 'down' ? `: ${status.reason}` : ` (lag ${status.lagSeconds?.toFixed(3)} s)`;
      if (status.state === 'up') this.logger.log(`Read replica up${detail}`);
      else this.logger.warn(`Read replica ${status.state}${detail}; its reads go to the primary`);
    }
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

interface ProbeRow {
  readonly standby: boolean;
  readonly replayed: string | null;
  readonly since_last_replay: number | null;
}

/**
 * The app's own ORM options (entities, filters, subscribers: the same model as the primary's) for
 * the replica's URL and pool. The pool keeps no idle connection open to a replica that may be down,
 * and a connection attempt gives up quickly; `application_name` tells its sessions apart.
 */
function replicaOrmOptions(config: ResolvedConfig, primary: MikroORM): Options {
  const replica = config.database.replica!;
  const model: OrmModel = {
    entities: primary.config.get('entities') as OrmModel['entities'],
    filters: primary.config.get('filters'),
    subscribers: primary.config.get('subscribers') as OrmModel['subscribers'],
  };
  const replicaConfig = {
    ...config,
    database: { ...config.database, url: replica.url, pool: { ...config.database.pool, min: 0, max: replica.poolMax } },
  };
  const options = createOrmOptions(replicaConfig, model, 'runtime');
  const driverOptions = (options.driverOptions ?? {}) as { connection?: Record<string, unknown> };
  return {
    ...options,
    driverOptions: {
      ...driverOptions,
      acquireConnectionTimeout: REPLICA_CONNECT_TIMEOUT_MS,
      // knex writes a lost connection to the console; the probe reports the replica's state instead.
      log: { warn: quiet, error: quiet, deprecate: quiet, debug: quiet },
      connection: { ...driverOptions.connection, application_name: 'atrium-replica', connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS },
    },
  };
}

const knexLogger = new Logger('ReadReplica');

function quiet(message: unknown): void {
  knexLogger.debug(String(message));
}

class ProbeTimeout extends Error {}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout('timed out')), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
