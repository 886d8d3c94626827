import { GENESIS_HASH, chainHash } from './audit-chain';
import { AuditRow, ChainPoint, CheckpointRow, eventOf } from './audit-chain.repository';

/** Events read and recomputed per batch. */
export const VERIFY_BATCH = 5000;

export const GENESIS: ChainPoint = { seq: 0, hash: GENESIS_HASH };

export interface SegmentOutcome {
  /** Events recomputed and found in order. */
  readonly checked: number;
  /** The last event that verified (or `from`, when none did). */
  readonly last: ChainPoint;
  /** The first seq that is missing, altered or out of order. */
  readonly firstBrokenSeq?: number;
}

/**
 * Recomputes the chain after `from` through `throughSeq`: every seq present and in order, every
 * prevHash equal to the previous hash, every hash equal to SHA-256(prevHash ‖ canonical event).
 * Reads batch by batch through `read` (each call may be a transaction of its own); `progress`
 * hears the outcome so far after each full batch.
 */
export async function walkSegment(
  from: ChainPoint,
  throughSeq: number,
  read: (fromSeq: number, limit: number) => Promise<AuditRow[]>,
  progress?: (sofar: SegmentOutcome) => Promise<void>,
): Promise<SegmentOutcome> {
  let last = from;
  let checked = 0;
  while (last.seq < throughSeq) {
    const expected = last.seq + 1;
    const wanted = Math.min(VERIFY_BATCH, throughSeq - last.seq);
    const rows = await read(expected, wanted);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== last.seq + 1 || row.prev_hash !== last.hash || chainHash(last.hash, eventOf(row)) !== row.hash) {
        return { checked, last, firstBrokenSeq: Math.min(seq, last.seq + 1) };
      }
      checked += 1;
      last = { seq, hash: row.hash };
    }
    if (rows.length < wanted) return { checked, last, firstBrokenSeq: last.seq + 1 };
    await progress?.({ checked, last });
  }
  return { checked, last };
}

export interface CheckedCheckpoint extends CheckpointRow {
  readonly signatureValid: boolean;
}

export interface Anchor {
  /** Where recomputing starts: the newest checkpoint that vouches for everything before it, else the chain's start. */
  readonly from: ChainPoint;
  /** The first seq the checkpoints themselves show to be broken: a forged signature, a missing link, a rewritten event. */
  readonly brokenSeq?: number;
}

/**
 * Which events a verification may take as verified without recomputing them. A v2 checkpoint is
 * signed only after the job recomputed the chain from the previous v2 checkpoint (or the chain's
 * start) up to it, and its signature covers that previous point, so the v2 checkpoints form a
 * signed chain of their own. The anchor is the newest v2 checkpoint such that every checkpoint up
 * to it verifies with its key, every link matches, and no checkpoint up to it names an event that
 * is gone or carries another hash today (`firstMismatchSeq`). Anything before the anchor was
 * verified when the anchor was signed; its events are not read again (the full verification does).
 */
export function anchorOf(checkpoints: readonly CheckedCheckpoint[], start: ChainPoint, firstMismatchSeq: number | undefined): Anchor {
  let from = start;
  let previousV2: ChainPoint | null = null;
  for (const checkpoint of checkpoints) {
    if (!checkpoint.signatureValid) return { from, brokenSeq: checkpoint.seq };
    if (firstMismatchSeq !== undefined && checkpoint.seq >= firstMismatchSeq) return { from };
    const link = checkpoint.verifiedFrom;
    if (!link) continue; // v1: signed, but it attests only its own (seq, hash)
    const linked = previousV2
      ? link.seq === previousV2.seq && link.hash === previousV2.hash
      : (link.seq === GENESIS.seq && link.hash === GENESIS.hash) || link.seq <= start.seq;
    if (!linked) return { from, brokenSeq: (previousV2?.seq ?? link.seq) + 1 };
    previousV2 = { seq: checkpoint.seq, hash: checkpoint.hash };
    if (checkpoint.seq > from.seq) from = previousV2;
  }
  return { from };
}
