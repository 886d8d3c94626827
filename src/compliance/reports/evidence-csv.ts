import { Zippable, zipSync } from 'fflate';
import { csvCell } from '@app/http';
import { EvidenceRecord } from '../evidence';
import { resultLabel } from './control-catalogue';

/**
 * Columns never written to a report's CSVs: an API key's prefix narrows a guess at the secret, and
 * a privacy request's subject hash is a guessable stand-in for a person. report.json keeps the
 * evidence as stored (its payload hashes must still verify); the CSVs are what gets passed around.
 */
const OMITTED = /prefix|secret|token|password|subjectHash/i;

export function isOmittedColumn(key: string): boolean {
  return OMITTED.test(key);
}

export interface EvidenceCsvFile {
  readonly name: string;
  readonly csv: string;
}

/**
 * One CSV per check, with that check's own columns in order of first appearance, and one of its
 * exceptions when it has any; `index.csv` lists every check with its result, empty populations
 * included. RFC 4180 (CRLF, quoting) with the formula-injection guard of csvCell.
 */
export function evidenceCsvFiles(records: readonly EvidenceRecord[]): EvidenceCsvFile[] {
  const index = table(
    ['checkId', 'checkVersion', 'criteria', 'result', 'population', 'exceptions', 'evidenceId', 'payloadSha256', 'file', 'exceptionsFile'],
    records.map((record) => {
      const name = baseNameOf(record, records);
      return {
        checkId: record.checkId,
        checkVersion: record.checkVersion,
        criteria: record.criteria.join(' '),
        result: resultLabel(record),
        population: record.populationCount,
        exceptions: record.exceptions.length,
        evidenceId: record.id,
        payloadSha256: record.payloadSha256,
        file: record.population.length > 0 ? `${name}.csv` : '',
        exceptionsFile: record.exceptions.length > 0 ? `${name}.exceptions.csv` : '',
      };
    }),
  );
  const files: EvidenceCsvFile[] = [{ name: 'index.csv', csv: index }];
  for (const record of records) {
    const name = baseNameOf(record, records);
    if (record.population.length > 0) files.push({ name: `${name}.csv`, csv: table(columnsOf(record.population), record.population) });
    if (record.exceptions.length > 0) {
      files.push({ name: `${name}.exceptions.csv`, csv: table(columnsOf(record.exceptions), record.exceptions) });
    }
  }
  return files;
}

/** The CSVs in one zip, stamped with the report's time so that the same evidence zips to the same bytes. */
export function evidenceZip(records: readonly EvidenceRecord[], generatedAt: Date): Buffer {
  const entries: Zippable = {};
  for (const file of evidenceCsvFiles(records)) entries[file.name] = [Buffer.from(file.csv, 'utf8'), { mtime: generatedAt }];
  return Buffer.from(zipSync(entries, { level: 6 }));
}

function table(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(Object.hasOwn(row, column) ? row[column] : null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function columnsOf(rows: readonly Readonly<Record<string, unknown>>[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (!isOmittedColumn(key)) columns.add(key);
  return [...columns];
}

/** The check id, made unique when a report holds two records of one check, and safe as a file name. */
function baseNameOf(record: EvidenceRecord, records: readonly EvidenceRecord[]): string {
  const safe = record.checkId.replace(/[^A-Za-z0-9._-]/g, '_');
  const same = records.filter((candidate) => candidate.checkId === record.checkId);
  return same.length > 1 ? `${safe}-${same.indexOf(record) + 1}` : safe;
}
