/**
 * SQL as a trace attribute without the data in it. MikroORM inlines parameter values into the
 * statement text, so emails, names and password hashes would otherwise reach the APM vendor.
 * Quoted strings (including E'' and dollar-quoted ones) and numbers become `?`.
 */
export function redactSql(sql: string): string {
  return redactSqlLiterals(sql).replace(/\b\d+(?:\.\d+)?\b/g, '?');
}

/**
 * Error text without the data a statement or PostgreSQL put in it: quoted literals (the inlined
 * values of a failed statement) and the `: "value"` PostgreSQL quotes in messages such as
 * `invalid input syntax for type uuid: "…"`. Numbers stay, so stack traces keep their line numbers.
 */
export function redactSqlLiterals(text: string): string {
  return text
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[Ee]?'(?:[^']|'')*'/g, '?')
    .replace(/: "(?:[^"\\]|\\.)*"/g, ': ?');
}
