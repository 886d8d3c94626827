import { FieldError, ValidationError } from '@app/http';
import { EvidencePeriod } from '../evidence';

/** A year of evidence, leap years included. */
const MAX_PERIOD_MS = 366 * 86_400_000;

/** [from, to): not empty, not reaching into the future (its evidence would be incomplete), at most a year. */
export function validatePeriod(from: Date, to: Date, now: Date): void {
  const errors: FieldError[] = [];
  if (from.getTime() >= to.getTime()) errors.push({ field: 'from', message: 'from must be before to' });
  if (to.getTime() > now.getTime()) errors.push({ field: 'to', message: 'to must not be in the future' });
  if (to.getTime() - from.getTime() > MAX_PERIOD_MS) errors.push({ field: 'to', message: 'the period must not be longer than 366 days' });
  if (errors.length > 0) throw new ValidationError(errors);
}

/** The calendar month (UTC) before the one `at` falls in. */
export function previousMonth(at: Date): EvidencePeriod {
  return {
    start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)),
    end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
  };
}
