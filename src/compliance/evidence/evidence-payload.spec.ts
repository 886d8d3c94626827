import { createHash } from 'node:crypto';
import { EvidencePayloadFields, payloadSha256Of } from './evidence-payload';

const record: EvidencePayloadFields = {
  checkId: 'api-keys',
  checkVersion: 1,
  criteria: ['CC6.6'],
  periodStart: new Date('2026-11-26T00:00:00Z'),
  periodEnd: new Date('2026-11-27T00:00:00Z'),
  population: [{ id: 'k1', ageDays: 100, lastUsedAt: null }],
  exceptions: [{ id: 'k1', reason: 'never used' }],
  summary: { activeKeys: 1 },
  result: 'exceptions',
};

describe('payloadSha256Of', () => {
  it('hashes the canonical JSON of the payload fields with the period as ISO strings', () => {
    const canonical =
      '{"checkId":"api-keys","checkVersion":1,"criteria":["CC6.6"],"exceptions":[{"id":"k1","reason":"never used"}],' +
      '"periodEnd":"2026-11-27T00:00:00.000Z","periodStart":"2026-11-26T00:00:00.000Z",' +
      '"population":[{"ageDays":100,"id":"k1","lastUsedAt":null}],"result":"exceptions","summary":{"activeKeys":1}}';
    expect(payloadSha256Of(record)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('does not depend on key order, and changes with any finding', () => {
    const reordered = { ...record, population: [{ lastUsedAt: null, ageDays: 100, id: 'k1' }] };
    expect(payloadSha256Of(reordered)).toBe(payloadSha256Of(record));
    expect(payloadSha256Of({ ...record, result: 'pass' })).not.toBe(payloadSha256Of(record));
    expect(payloadSha256Of({ ...record, summary: { activeKeys: 2 } })).not.toBe(payloadSha256Of(record));
  });
});
