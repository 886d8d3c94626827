import { AuditEvent, GENESIS_HASH, canonicalEvent, chainHash } from './audit-chain';

const event: AuditEvent = {
  id: '0192f0c4-0000-7000-8000-000000000001',
  orgId: '0192f0c4-0000-7000-8000-0000000000aa',
  seq: 1,
  occurredAt: new Date('2026-11-27T10:00:00.123Z'),
  actor: { type: 'user', id: 'u1' },
  action: 'contact.update',
  target: { type: 'contact', id: 'c1' },
  outcome: 'success',
  requestId: 'r1',
  ip: '10.0.0.1',
  changedFields: ['firstName'],
  details: {},
};

describe('audit chain', () => {
  it('hashes the previous hash followed by the canonical event', () => {
    const hash = chainHash(GENESIS_HASH, event);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...event })).toBe(hash);
  });

  it('changes when any field or the previous hash changes', () => {
    const hash = chainHash(GENESIS_HASH, event);
    expect(chainHash('1'.repeat(64), event)).not.toBe(hash);
    expect(chainHash(GENESIS_HASH, { ...event, seq: 2 })).not.toBe(hash);
    expect(chainHash(GENESIS_HASH, { ...event, changedFields: ['lastName'] })).not.toBe(hash);
    expect(chainHash(GENESIS_HASH, { ...event, occurredAt: new Date('2026-11-27T10:00:00.124Z') })).not.toBe(hash);
  });

  it('does not depend on the order details were written in', () => {
    const a = canonicalEvent({ ...event, details: { a: 1, b: 'x' } });
    const b = canonicalEvent({ ...event, details: { b: 'x', a: 1 } });
    expect(a).toBe(b);
  });
});
