/**
 * One CSV cell: RFC 4180 quoting, and a leading quote on text a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@`, tab, carriage return), so an exported value cannot execute.
 * Numbers are written as they are: `-2` is a value, not a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
