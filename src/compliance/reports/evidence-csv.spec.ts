import { unzipSync } from 'fflate';
import { EvidenceRecord } from '../evidence';
import { evidenceCsvFiles, evidenceZip } from './evidence-csv';

function record(checkId: string, population: EvidenceRecord['population'], exceptions: EvidenceRecord['exceptions'] = []): EvidenceRecord {
  return {
    id: `${checkId}-id`,
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
    result: exceptions.length > 0 ? 'exceptions' : 'pass',
    population,
    exceptions,
    summary: {},
    payloadSha256: '0'.repeat(64),
  };
}

const files = (records: EvidenceRecord[]) => Object.fromEntries(evidenceCsvFiles(records).map((file) => [file.name, file.csv]));

describe('evidenceCsvFiles', () => {
  it('writes one CSV per check with its own columns, CRLF rows, and an index of every check', () => {
    const written = files([
      record('access', [
        { user: 'ada', mfa: true },
        { user: 'grace', lastLoginAt: null },
      ]),
      record('empty', []),
      record('keys', [{ name: 'ci', ageDays: 3 }]),
    ]);
    expect(Object.keys(written)).toEqual(['index.csv', 'access.csv', 'keys.csv']);
    expect(written['access.csv']).toBe(['user,mfa,lastLoginAt', 'ada,true,', 'grace,,', ''].join('\r\n'));
    expect(written['keys.csv']).toBe(['name,ageDays', 'ci,3', ''].join('\r\n'));
    const index = written['index.csv'].split('\r\n');
    expect(index[0]).toBe('checkId,checkVersion,criteria,result,population,exceptions,evidenceId,payloadSha256,file,exceptionsFile');
    expect(index[2]).toBe(`empty,1,CC6.1 CC6.3,no activity in period,0,0,empty-id,${'0'.repeat(64)},,`);
  });

  it('quotes delimiters and guards formulas', () => {
    const written = files([record('c', [{ checkId: 'inner', note: 'a, "b"\nc', cell: '=1+1', delta: -2 }])]);
    expect(written['c.csv']).toBe(['checkId,note,cell,delta', `inner,"a, ""b""\nc",'=1+1,-2`, ''].join('\r\n'));
  });

  it('leaves out key prefixes and subject hashes, and writes exceptions beside the population', () => {
    const written = files([record('keys', [{ name: 'ci', prefix: 'atr_12ab' }], [{ name: 'ci', prefix: 'atr_12ab', reason: 'unused' }])]);
    expect(written['keys.csv']).toBe(['name', 'ci', ''].join('\r\n'));
    expect(written['keys.exceptions.csv']).toBe(['name,reason', 'ci,unused', ''].join('\r\n'));
    expect(JSON.stringify(written)).not.toContain('atr_12ab');
  });

  it('is an index alone when there is no evidence', () => {
    expect(Object.keys(files([]))).toEqual(['index.csv']);
  });
});

describe('evidenceZip', () => {
  it('holds the CSVs, and the same evidence zips to the same bytes', () => {
    const records = [record('access', [{ user: 'ada' }])];
    const at = new Date('2026-11-01T04:00:00Z');
    const zip = evidenceZip(records, at);
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual(['index.csv', 'access.csv']);
    expect(Buffer.from(entries['access.csv']).toString('utf8')).toBe('user\r\nada\r\n');
    expect(evidenceZip(records, at)).toEqual(zip);
  });
});
