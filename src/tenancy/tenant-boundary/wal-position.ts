/**
 * A PostgreSQL WAL position (`pg_lsn`, printed as `16/B374D848`) as a number of bytes, so positions
 * compare with `>=` in the app and in a Redis script. Doubles hold them exactly up to 2^53 bytes
 * (8 PiB of WAL written over the cluster's life), far beyond any real cluster.
 */
export type WalPosition = number;

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** The position a `pg_lsn` printed as text names; undefined for anything else (null: not in recovery, say). */
export function walPositionOf(text: string | null | undefined): WalPosition | undefined {
  const match = text ? LSN.exec(text) : null;
  return match ? parseInt(match[1], 16) * 2 ** 32 + parseInt(match[2], 16) : undefined;
}
