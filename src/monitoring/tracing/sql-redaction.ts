/**
 * SQL as a trace attribute without the data in it. MikroORM inlines parameter values into the
 * statement text, so emails, names and password hashes would otherwise reach the APM vendor.
 * Quoted strings (including E'' and dollar-quoted ones) and numbers become `?`.
 */
export function redactSql(sql: string): string {
  return sql
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[Ee]?'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?');
}
