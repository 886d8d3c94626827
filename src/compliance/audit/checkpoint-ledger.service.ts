import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Signer } from '../../platform/signing';
import { chainHash, checkpointMessage } from './audit-chain';
import { AuditChainRepository, AuditRow, ChainHead, ChainPoint, CheckpointRow, eventOf } from './audit-chain.repository';
import { Anchor, CheckedCheckpoint, GENESIS, anchorOf } from './chain-verifier';

/** What the signed checkpoints say about an org's chain, read in the caller's transaction. */
export interface LedgerReading {
  readonly head: ChainHead | undefined;
  /** Where the surviving chain starts: the genesis, or where retention pruned it. */
  readonly start: ChainPoint;
  readonly newest: CheckedCheckpoint | undefined;
  /** The newest checkpoint that vouches for everything before it (or `start`), and any break the checkpoints show. */
  readonly anchor: Anchor;
  /** The first checkpoint whose event is gone, carries another hash, no longer recomputes or no longer follows its predecessor. */
  readonly mismatchSeq?: number;
  /** An event at or before the pruned point, or a pruned point past the newest checkpoint: the start itself was tampered with. */
  readonly startBrokenSeq?: number;
}

/** Checkpoint signatures already verified, by org, seq and signature: rows are append-only, so a result never changes. */
const VERIFIED_SIGNATURES = 100_000;

/**
 * Reads an org's signed checkpoints against its chain, for the quick verification (which recomputes
 * only after the anchor) and the full one (which recomputes everything and checks it against them).
 */
@Injectable()
export class CheckpointLedger {
  private readonly verified = new LRUCache<string, boolean>({ max: VERIFIED_SIGNATURES });

  constructor(
    private readonly signer: Signer,
    private readonly chain: AuditChainRepository,
  ) {}

  async read(em: EntityManager, orgId: string): Promise<LedgerReading> {
    const head = await this.chain.head(em, orgId);
    const start = head && head.prunedThrough.seq > 0 ? head.prunedThrough : GENESIS;
    const checkpoints = await this.checked(orgId, await this.chain.checkpoints(em, orgId));
    const newest = checkpoints[checkpoints.length - 1];
    const mismatchSeq = firstMismatch(await this.chain.checkpointEvents(em, orgId, start.seq), start);
    let anchor = anchorOf(checkpoints, start, mismatchSeq);
    // A deleted event between checkpoints leaves every checkpointed event intact: count them.
    if (
      anchor.from.seq > start.seq &&
      (await this.chain.countEvents(em, orgId, start.seq, anchor.from.seq)) !== anchor.from.seq - start.seq
    ) {
      anchor = { from: start, ...(anchor.brokenSeq !== undefined ? { brokenSeq: anchor.brokenSeq } : {}) };
    }
    return { head, start, newest, anchor, mismatchSeq, startBrokenSeq: await this.startBroken(em, orgId, start, newest) };
  }

  /** Retention deletes every event up to the pruned point and never prunes the newest checkpoint's event. */
  private async startBroken(
    em: EntityManager,
    orgId: string,
    start: ChainPoint,
    newest: CheckpointRow | undefined,
  ): Promise<number | undefined> {
    if (start.seq === 0) return undefined;
    const leftBehind = await this.chain.firstEventThrough(em, orgId, start.seq);
    if (leftBehind !== undefined) return leftBehind;
    return newest && start.seq >= newest.seq ? newest.seq : undefined;
  }

  private async checked(orgId: string, rows: readonly CheckpointRow[]): Promise<CheckedCheckpoint[]> {
    const checked: CheckedCheckpoint[] = [];
    for (const row of rows) {
      const key = `${orgId}:${row.seq}:${row.keyId}:${row.signature}:${row.hash}:${row.verifiedFrom?.seq ?? ''}:${row.verifiedFrom?.hash ?? ''}`;
      let signatureValid = this.verified.get(key);
      if (signatureValid === undefined) {
        const message = checkpointMessage(orgId, row.seq, row.hash, row.verifiedFrom);
        signatureValid = await this.signer.verify(message, { keyId: row.keyId, value: row.signature });
        this.verified.set(key, signatureValid);
      }
      checked.push({ ...row, signatureValid });
    }
    return checked;
  }
}

/**
 * The first checkpoint whose event is gone, carries another hash than the signed one, no longer
 * recomputes to its stored hash, or no longer names its predecessor's stored hash as prevHash. A
 * run of events between two checkpoints rewritten with recomputed hashes cannot end in the next
 * checkpoint's event without failing one of these.
 */
function firstMismatch(
  rows: readonly (Partial<AuditRow> & { checkpoint_seq: string; checkpoint_hash: string; prior_hash: string | null })[],
  start: ChainPoint,
): number | undefined {
  for (const row of rows) {
    const seq = Number(row.checkpoint_seq);
    const prior = seq - 1 === start.seq ? start.hash : row.prior_hash;
    const event = row.id ? (row as AuditRow) : undefined;
    if (
      !event ||
      event.hash !== row.checkpoint_hash ||
      event.prev_hash !== prior ||
      chainHash(event.prev_hash, eventOf(event)) !== event.hash
    ) {
      return seq;
    }
  }
  return undefined;
}
