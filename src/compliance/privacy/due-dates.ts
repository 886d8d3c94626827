/**
 * GDPR Art. 12(3) deadlines: one month from receipt, extendable by at most two further months.
 * A month is a calendar month in UTC; a day the target month lacks becomes its last day
 * (31 January + 1 month = 28 or 29 February), as Regulation 1182/71 counts periods.
 */

export const MAX_EXTENSION_MONTHS = 2;

export function addCalendarMonths(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(from.getUTCDate(), lastDay),
      from.getUTCHours(),
      from.getUTCMinutes(),
      from.getUTCSeconds(),
      from.getUTCMilliseconds(),
    ),
  );
}

/** Due one calendar month after receipt. */
export function dueDateOf(receivedAt: Date): Date {
  return addCalendarMonths(receivedAt, 1);
}

/**
 * Whole months by which `extendedDueAt` lies beyond `dueAt`. Clamping to a month's last day never
 * changes the month, so the month numbers alone tell how far a deadline was extended.
 */
export function monthsExtended(dueAt: Date, extendedDueAt: Date | null): number {
  if (!extendedDueAt) return 0;
  return extendedDueAt.getUTCFullYear() * 12 + extendedDueAt.getUTCMonth() - (dueAt.getUTCFullYear() * 12 + dueAt.getUTCMonth());
}
