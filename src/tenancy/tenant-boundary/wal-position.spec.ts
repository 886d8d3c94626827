import { walPositionOf } from './wal-position';

describe('walPositionOf', () => {
  it('reads the two halves of a pg_lsn as one byte position', () => {
    expect(walPositionOf('0/0')).toBe(0);
    expect(walPositionOf('0/16B3748')).toBe(0x16b3748);
    expect(walPositionOf('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(walPositionOf('FFFFF/FFFFFFFF')).toBe(2 ** 52 - 1);
  });

  it('orders positions as PostgreSQL does, across the low half wrapping', () => {
    expect(walPositionOf('1/0')!).toBeGreaterThan(walPositionOf('0/FFFFFFFF')!);
    expect(walPositionOf('0/A0')!).toBeGreaterThan(walPositionOf('0/9F')!);
  });

  it('is undefined for anything that is not a pg_lsn', () => {
    for (const text of [null, undefined, '', '0', '0/', '/1', 'x/1', '1/2/3', '123456789/0']) expect(walPositionOf(text)).toBeUndefined();
  });
});
