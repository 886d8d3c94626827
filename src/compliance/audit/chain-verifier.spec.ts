import { CheckedCheckpoint, GENESIS, anchorOf } from './chain-verifier';

const hashOf = (seq: number) => String(seq % 10).repeat(64);

function checkpoint(seq: number, from: number | null, signatureValid = true): CheckedCheckpoint {
  return {
    seq,
    hash: hashOf(seq),
    signedAt: '2026-12-05T00:00:00.000Z',
    keyId: 'k',
    signature: 's',
    verifiedFrom: from === null ? null : from === 0 ? GENESIS : { seq: from, hash: hashOf(from) },
    signatureValid,
  };
}

describe('anchorOf', () => {
  it('starts from the chain start without checkpoints', () => {
    expect(anchorOf([], GENESIS, undefined)).toEqual({ from: GENESIS });
  });

  it('starts from the newest of linked v2 checkpoints', () => {
    expect(anchorOf([checkpoint(5, 0), checkpoint(9, 5), checkpoint(14, 9)], GENESIS, undefined)).toEqual({
      from: { seq: 14, hash: hashOf(14) },
    });
  });

  it('never starts from a v1 checkpoint, which vouches only for its own event', () => {
    expect(anchorOf([checkpoint(5, null), checkpoint(9, null)], GENESIS, undefined)).toEqual({ from: GENESIS });
    expect(anchorOf([checkpoint(5, null), checkpoint(9, 0)], GENESIS, undefined)).toEqual({ from: { seq: 9, hash: hashOf(9) } });
  });

  it('reports a forged signature at its checkpoint and starts before it', () => {
    expect(anchorOf([checkpoint(5, 0), checkpoint(9, 5, false), checkpoint(14, 9)], GENESIS, undefined)).toEqual({
      from: { seq: 5, hash: hashOf(5) },
      brokenSeq: 9,
    });
  });

  it('reports a missing link after the last checkpoint that still links', () => {
    expect(anchorOf([checkpoint(5, 0), checkpoint(14, 9)], GENESIS, undefined)).toEqual({ from: { seq: 5, hash: hashOf(5) }, brokenSeq: 6 });
  });

  it('starts before the first checkpoint whose event is gone or re-hashed', () => {
    expect(anchorOf([checkpoint(5, 0), checkpoint(9, 5), checkpoint(14, 9)], GENESIS, 9)).toEqual({ from: { seq: 5, hash: hashOf(5) } });
  });

  it('accepts a first link to a point retention has pruned since, and starts no earlier than the pruned point', () => {
    const pruned = { seq: 7, hash: hashOf(7) };
    expect(anchorOf([checkpoint(5, 3), checkpoint(9, 5)], pruned, undefined)).toEqual({ from: { seq: 9, hash: hashOf(9) } });
    expect(anchorOf([checkpoint(5, 3)], pruned, undefined)).toEqual({ from: pruned });
  });
});
