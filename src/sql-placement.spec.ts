import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * "SQL lives in repositories" (STYLE.md 16), checked: outside `*.repository.ts` files, no source
 * file of src/ or libs/ runs a statement (`em.execute(...)`, `getConnection().execute(...)`) or
 * holds one (a string starting `select`, `insert into`, `update … set`, `delete from`, `with … as (`),
 * except the files below, each a mechanism of its own rather than a service's query. A new
 * statement goes into its module's repository; a new mechanism goes into this list with its reason.
 */
const MECHANISMS: Readonly<Record<string, string>> = {
  'src/tenancy/tenant-boundary/tenant-database.ts':
    'the tenant boundary: the transaction-local scope (role, timeout, org) every transaction and one-round-trip read starts with',
  'src/tenancy/tenant-boundary/transaction-prelude.ts': "reads the commit's WAL position in the same message as COMMIT (read-your-writes)",
  'src/tenancy/tenant-boundary/read-replica.ts': "probes the replica's replay lag and position; no tenant data",
  'src/tenancy/tenant-boundary/replica-routing.ts': "reads the primary's WAL position for read-your-writes; no tenant data",
  'src/tenancy/tenant-boundary/runtime-role-check.ts': 'checks at boot that the runtime role cannot bypass RLS',
  'src/compliance/retention/retention-predicates.ts':
    "builds each retention category's purge statement (knex raw, nested) from the ORM's metadata",
  'src/compliance/retention/retention-purger.service.ts': 'runs the statements retention-predicates.ts builds',
  'src/caching/invalidation-backlog.ts': "the cache's invalidation backlog, written in the transaction of the write it invalidates",
  'src/crm/records-cache.ts': "runs the caching module's backlog statement in the write's own transaction (the SQL is not here)",
  'src/database/embedded-postgres.ts': 'creates the roles and database of the embedded cluster',
  'src/database/seed/bench-seed.ts': 'bulk-inserts the benchmark data set with generate_series',
};

/**
 * Statements still outside a repository: each a task, not a mechanism. The test fails when one
 * of these no longer holds SQL, so the list only shrinks.
 */
const NOT_YET_MOVED: Readonly<Record<string, string>> = {};

const ROOT = join(__dirname, '..');
const SCANNED = ['src', 'libs'];
const SKIPPED = [
  /\.spec\.ts$/,
  /\.e2e-spec\.ts$/,
  /\.repository\.ts$/,
  /^src\/database\/migrations\//,
  /^src\/docs\/swagger-metadata\.ts$/,
];

const RUNS_STATEMENT = /\b(?:em|[A-Za-z]+Em|getConnection\(\)|fork\(\)|connection|trx|inner|manager)\s*\.\s*execute\s*(?:<.*>)?\s*\(/;
const HOLDS_STATEMENT = /['"`]\s*(?:select\s|insert\s+into\s|update\s+\w+\s+set\s|delete\s+from\s|with\s+\w+\s+as\s*\()/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !SKIPPED.some((skip) => skip.test(path)) ? [path] : [];
  });
}

/** `file:line: text` for every line of code (not comment) that runs or holds a statement. */
function statementLines(file: string): string[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const code = line.trim();
      if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return [];
      return RUNS_STATEMENT.test(code) || HOLDS_STATEMENT.test(code) ? [`${file}:${index + 1}: ${code.slice(0, 120)}`] : [];
    });
}

describe('SQL placement', () => {
  const found = new Map(SCANNED.flatMap(sourceFiles).map((file) => [relative(ROOT, join(ROOT, file)), statementLines(file)]));

  it('finds statements only in repositories and the named mechanisms', () => {
    const outside = [...found]
      .filter(([file, lines]) => lines.length > 0 && !(file in MECHANISMS) && !(file in NOT_YET_MOVED))
      .flatMap(([, lines]) => lines);

    expect(outside).toEqual([]);
  });

  it('lists no file that holds no statement any more', () => {
    const stale = [...Object.keys(MECHANISMS), ...Object.keys(NOT_YET_MOVED)].filter((file) => !found.get(file)?.length);

    expect(stale).toEqual([]);
  });
});
