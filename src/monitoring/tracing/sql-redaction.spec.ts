import { redactSql } from './sql-redaction';

describe('redactSql', () => {
  it('keeps the statement shape and drops every literal', () => {
    const sql = `insert into "users" ("email", "name", "password_hash", "n") values ('ada@example.com', 'O''Brien', 'scrypt$16384$8$1$abc', 42)`;
    expect(redactSql(sql)).toBe('insert into "users" ("email", "name", "password_hash", "n") values (?, ?, ?, ?)');
  });

  it('handles escape strings and dollar quoting', () => {
    expect(redactSql("select E'a\\\\b', $$secret$$, $tag$x$tag$ from t where id = 7")).toBe('select ?, ?, ? from t where id = ?');
  });
});
