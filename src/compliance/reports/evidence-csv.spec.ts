import { EvidenceRecord } from '../evidence/evidence.types';
import { evidenceCsv } from './evidence-csv';

function record(checkId: string, population: EvidenceRecord['population']): EvidenceRecord {
  return {
    id: checkId,
    orgId: 'org',
    checkId,
    checkVersion: 1,
    criteria: ['CC6.1', 'CC6.3'],
    periodStart: new Date('2026-10-01T00:00:00Z'),
    periodEnd: new Date('2026-11-01T00:00:00Z'),
    collectedAt: new Date('2026-11-01T04:00:00Z'),
    source: 'test',
    queryParams: {},
    populationCount: population.length,
    result: 'pass',
    population,
    exceptions: [],
    summary: {},
    payloadSha256: '0'.repeat(64),
  };
}

describe('evidenceCsv', () => {
  it('writes one CRLF row per population row under the union of the keys', () => {
    const csv = evidenceCsv([
      record('access', [
        { user: 'ada', mfa: true },
        { user: 'grace', lastLoginAt: null },
      ]),
      record('empty', []),
      record('keys', [{ name: 'ci', ageDays: 3 }]),
    ]);
    expect(csv).toBe(
      [
        'checkId,criteria,user,mfa,lastLoginAt,name,ageDays',
        'access,CC6.1 CC6.3,ada,true,,,',
        'access,CC6.1 CC6.3,grace,,,,',
        'keys,CC6.1 CC6.3,,,,ci,3',
        '',
      ].join('\r\n'),
    );
  });

  it('quotes delimiters, guards formulas and keeps a population key named like a leading column', () => {
    const csv = evidenceCsv([record('c', [{ checkId: 'inner', note: 'a, "b"\nc', cell: '=1+1', delta: -2 }])]);
    expect(csv).toBe(
      ['checkId,criteria,population.checkId,note,cell,delta', `c,CC6.1 CC6.3,inner,"a, ""b""\nc",'=1+1,-2`, ''].join('\r\n'),
    );
  });

  it('is a header alone when there is no evidence', () => {
    expect(evidenceCsv([])).toBe('checkId,criteria\r\n');
  });
});
