import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';

/** Surrounding white space is never meaningful in names and labels. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails and host names compare case-insensitively, so they are stored lower-case. */
export const TrimLowerCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** A `Date` for an RFC 3339 date-time with a real calendar date (no 2026-02-30), else undefined. */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHours = '0', offsetMinutes = '0'] = match.slice(1).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A date-time field or query parameter: RFC 3339 only. JavaScript's own date parser reads almost
 * anything (`' OR '1'='1` is 2001-01-01); anything that is not RFC 3339 stays a string here and
 * fails the `IsDate` check with a message that shows the format.
 */
export const DateTimeInput = (): PropertyDecorator => (target, property) => {
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (parseRfc3339(value) ?? value) : value))(target, property);
  IsDate({ message: `${String(property)} must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z` })(target, property);
};
