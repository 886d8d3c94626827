import { previousUtcDay } from './evidence.job';

describe('previousUtcDay', () => {
  it('is the whole UTC day before the tick, however late in its own day the tick is', () => {
    for (const tick of ['2026-11-27T03:15:00Z', '2026-11-27T00:00:00Z', '2026-11-27T23:59:59.999Z']) {
      expect(previousUtcDay(new Date(tick))).toEqual({ start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') });
    }
  });

  it('crosses month and year boundaries', () => {
    expect(previousUtcDay(new Date('2027-01-01T03:15:00Z'))).toEqual({
      start: new Date('2026-12-31T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    expect(previousUtcDay(new Date('2028-03-01T03:15:00Z')).start).toEqual(new Date('2028-02-29T00:00:00Z'));
  });
});
