import { ValidationError } from '@app/http';
import { previousMonth, validatePeriod } from './report-period';

describe('previousMonth', () => {
  it('is the whole calendar month before, in UTC, across a year boundary', () => {
    expect(previousMonth(new Date('2026-12-01T04:45:00Z'))).toEqual({
      start: new Date('2026-11-01T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    });
    expect(previousMonth(new Date('2027-01-31T23:59:59Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    expect(previousMonth(new Date('2028-03-01T00:00:00Z')).start).toEqual(new Date('2028-02-01T00:00:00Z'));
  });
});

describe('validatePeriod', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  const fieldsOf = (from: string, to: string): string[] => {
    try {
      validatePeriod(new Date(from), new Date(to), now);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).options.errors?.map((entry) => entry.field) ?? [];
    }
  };

  it('accepts a past period of up to 366 days ending now at the latest', () => {
    expect(fieldsOf('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z')).toEqual([]);
    expect(fieldsOf('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).toEqual([]);
    expect(fieldsOf('2026-11-01T00:00:00Z', now.toISOString())).toEqual([]);
  });

  it('rejects empty, reversed, future and over-long periods', () => {
    expect(fieldsOf('2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')).toEqual(['from']);
    expect(fieldsOf('2026-11-01T00:00:00Z', '2026-10-01T00:00:00Z')).toEqual(['from']);
    expect(fieldsOf('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['to']);
    expect(fieldsOf('2024-01-01T00:00:00Z', '2025-01-01T00:00:01Z')).toEqual(['to']);
  });
});
