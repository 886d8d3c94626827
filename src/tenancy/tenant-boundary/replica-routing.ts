import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { ReadReplica } from './read-replica';
import { WritePositions } from './write-positions';
import { WalPosition, walPositionOf } from './wal-position';

/**
 * Decides, read by read, whether a replica-routed read (a list, a search, an export, a report) may
 * go to the replica, and remembers the writes that decision depends on.
 *
 * Read-your-writes: a write's commit reads back the primary's WAL position in the same message as
 * its `COMMIT` (transaction-prelude.ts), remembered for the org (write-positions.ts). A read of
 * that org goes to the replica only once the replica has replayed that position, else to the
 * primary at once. Reading the primary costs a read no more than the replica would; waiting for
 * replay would hold the request (and a pooled connection) for up to the lag bound. Replay positions
 * only grow, so a cached one proves a position reached; it is re-read only when a read needs a newer
 * one. Without a replica every method returns at once, with no round trip.
 */
@Injectable()
export class ReplicaRouting {
  private readonly logger = new Logger(ReplicaRouting.name);

  constructor(
    private readonly replica: ReadReplica,
    private readonly positions: WritePositions,
  ) {}

  get enabled(): boolean {
    return this.replica.configured;
  }

  /** The replica's entity manager when it may serve this org's read now; null (the fallback counted) otherwise. */
  async replicaFor(orgId: string): Promise<EntityManager | null> {
    const em = this.replica.em;
    if (!em) return null;
    const { state } = this.replica.status();
    if (state !== 'up') return this.fallBack(state);
    const written = await this.positions.latest(orgId);
    if (written === 'unknown') return this.fallBack('writes_unknown');
    if (written !== 'none' && !(await this.replica.hasReplayed(written))) return this.fallBack('read_your_writes');
    return em;
  }

  /** A replica read failed: whether to run it on the primary instead (see ReadReplica.readFailed). */
  retryOnPrimary(error: unknown): boolean {
    return this.replica.readFailed(error);
  }

  /**
   * An org transaction that wrote has committed: remember its position before the request goes on
   * (its answer, its cache invalidation). Read here, one round trip, only when the commit could not
   * read it back.
   */
  async committed(orgId: string, position: WalPosition | undefined, em: EntityManager): Promise<void> {
    if (!this.enabled) return;
    let known = position;
    try {
      known ??= await this.currentPosition(em);
    } catch (error) {
      // The write committed; its position is unknown. No replica can be shown to have it, so the
      // org's reads go to the primary for as long as a position is remembered.
      this.logger.warn({ err: error, orgId }, 'the position of a committed write could not be read; its org reads the primary meanwhile');
      known = Number.MAX_SAFE_INTEGER;
    }
    if (known !== undefined) await this.positions.remember(orgId, known);
  }

  private async currentPosition(em: EntityManager): Promise<WalPosition | undefined> {
    const [row] = await em.getConnection().execute<{ position: string }[]>('select pg_current_wal_insert_lsn()::text as position');
    return walPositionOf(row?.position);
  }

  private fallBack(reason: 'down' | 'lagging' | 'writes_unknown' | 'read_your_writes'): null {
    this.replica.fellBack(reason);
    return null;
  }
}
