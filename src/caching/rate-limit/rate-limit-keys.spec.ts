import { rateLimitKeys } from './rate-limit-keys';

/** CRC16/XMODEM, the checksum Redis Cluster takes modulo 16384 (cluster specification, "Keys distribution model"). */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot Redis Cluster stores a key in: only the first non-empty `{...}` section is hashed when there is one. */
function hashSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(hashed) % 16384;
}

describe('hash slots of multi-key Redis calls', () => {
  it('computes slots as Redis Cluster does', () => {
    expect(crc16('123456789')).toBe(0x31c3); // the specification's reference value
    expect(hashSlot('foo')).toBe(12182); // CLUSTER KEYSLOT foo
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'));
    expect(hashSlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384);
  });

  it("gives every key of one script call (one tag) one slot, whatever the tag's value or the tracker holds", () => {
    const values = ['api-key:0d6c2b6e-3f7a-4f1e-9d41-1c4b8f0e2a55', 'ip:203.0.113.9', 'email:a@b.example', 'x}y', '{z', '}{', ''];
    const slots = new Set<number>();
    for (const value of values) {
      // Tags are a limiter's name and a value (rate-limits.ts): never empty, never starting with a brace.
      const tag = `org:${value}`;
      const keys = values.flatMap((tracker) => [...rateLimitKeys(tag, 'principal', tracker), ...rateLimitKeys(tag, 'org', tracker)]);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(keys.map(hashSlot)).size).toBe(1);
      slots.add(hashSlot(keys[0]));
    }
    // The tag is per org (or per address or email), not one tag for every counter: limits spread over the cluster.
    expect(slots.size).toBeGreaterThan(values.length / 2);
  });
});
