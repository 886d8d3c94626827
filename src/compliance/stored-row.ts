/**
 * A row as raw SQL hands it over, for a row type whose timestamps are `Date`s. MikroORM turns pg's
 * date parsing off, so a timestamptz column arrives as text: a repository reads this shape and
 * turns each timestamp into a `Date` before the row leaves it, so the rest of the code sees one type.
 */
export type StoredRow<Row> = {
  [Column in keyof Row]: Row[Column] extends Date ? string : Row[Column] extends Date | null ? string | null : Row[Column];
};
