import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ValidationError } from './app-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` on every list. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, example: 25 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  readonly limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.', example: 'eyJpZCI6IjAxOTNhM2MyIn0' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor is not a cursor this API issued' })
  readonly cursor?: string;
}

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

/**
 * Keyset pagination on the primary key. Ids are UUIDv7, so id order is creation order; rows
 * written while a client pages never shift the pages it has not read yet. A cursor only names a
 * position: every query is scoped to the caller's org, so a forged one reveals nothing.
 */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof position.id === 'string' && UUID.test(position.id)) return position.id;
  } catch {
    // reported below
  }
  throw new ValidationError([{ field: 'cursor', message: 'cursor is not a cursor this API issued' }]);
}

export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

/** Rows fetched with `limit + 1` become a page; the extra row only tells that there is a next page. */
export function toPage<R extends { id: string }, T>(rows: readonly R[], limit: number, present: (row: R) => T): Page<T> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(present), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
