import { csvCell } from '@app/http';
import { EvidenceRecord } from '../evidence/evidence.types';

const LEADING_COLUMNS = ['checkId', 'criteria'] as const;

/**
 * Every check's population in one CSV: one row per population row, in the order collected, checks
 * in the order given. Columns are checkId, criteria (space-separated), then the union of the
 * population keys in order of first appearance; a row lacking a key leaves the cell empty. A
 * population key named like a leading column is written as `population.<key>`, so no value is
 * lost. RFC 4180 (CRLF, quoting) with the formula-injection guard of csvCell.
 */
export function evidenceCsv(records: readonly EvidenceRecord[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const row of record.population) {
      for (const key of Object.keys(row)) {
        if (seen.has(key)) continue;
        seen.add(key);
        keys.push(key);
      }
    }
  }
  const header = [...LEADING_COLUMNS, ...keys.map(columnNameOf)];
  const lines = [header.map(csvCell).join(',')];
  for (const record of records) {
    const criteria = record.criteria.join(' ');
    for (const row of record.population) {
      lines.push([record.checkId, criteria, ...keys.map((key) => (Object.hasOwn(row, key) ? row[key] : null))].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function columnNameOf(key: string): string {
  return (LEADING_COLUMNS as readonly string[]).includes(key) ? `population.${key}` : key;
}
