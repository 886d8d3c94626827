import { addCalendarMonths, dueDateOf, monthsExtended } from './due-dates';

const at = (iso: string) => new Date(iso);

describe('privacy request due dates', () => {
  it('is due one calendar month after receipt, at the same time of day', () => {
    expect(dueDateOf(at('2026-03-15T10:20:30.456Z')).toISOString()).toBe('2026-04-15T10:20:30.456Z');
  });

  it('clamps to the last day of a shorter month: 31 January → 28 February, or 29 in a leap year', () => {
    expect(dueDateOf(at('2027-01-31T09:00:00.000Z')).toISOString()).toBe('2027-02-28T09:00:00.000Z');
    expect(dueDateOf(at('2028-01-31T09:00:00.000Z')).toISOString()).toBe('2028-02-29T09:00:00.000Z');
    expect(dueDateOf(at('2026-03-31T00:00:00.000Z')).toISOString()).toBe('2026-04-30T00:00:00.000Z');
    expect(dueDateOf(at('2026-01-30T23:59:59.999Z')).toISOString()).toBe('2026-02-28T23:59:59.999Z');
  });

  it('rolls over the year', () => {
    expect(dueDateOf(at('2026-12-31T12:00:00.000Z')).toISOString()).toBe('2027-01-31T12:00:00.000Z');
    expect(addCalendarMonths(at('2026-11-30T12:00:00.000Z'), 3).toISOString()).toBe('2027-02-28T12:00:00.000Z');
  });

  it('counts the months an extension added, even from a clamped day', () => {
    const due = at('2027-02-28T09:00:00.000Z');
    expect(monthsExtended(due, null)).toBe(0);
    expect(monthsExtended(due, addCalendarMonths(due, 1))).toBe(1);
    expect(monthsExtended(due, addCalendarMonths(due, 2))).toBe(2);
    expect(monthsExtended(at('2026-12-31T00:00:00.000Z'), addCalendarMonths(at('2026-12-31T00:00:00.000Z'), 2))).toBe(2);
  });
});
