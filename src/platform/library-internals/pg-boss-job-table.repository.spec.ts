import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PgBoss from 'pg-boss';

/** Fails when pg-boss changes what pg-boss-job-table.repository.ts relies on: its job table and what its fetch writes. */
describe("pg-boss's job table", () => {
  const plans = PgBoss.getConstructionPlans('pgboss');

  it('has the columns and states the give-back writes', () => {
    expect(plans).toMatch(/CREATE TABLE pgboss\.job \(/);
    expect(plans).toMatch(/state pgboss\.job_state not null default\('created'\)/);
    expect(plans).toMatch(/retry_count integer not null default\(0\)/);
    expect(plans).toMatch(/started_on timestamp with time zone,/);
    expect(plans).toMatch(/CREATE TYPE pgboss\.job_state AS ENUM \(\s*'created',\s*'retry',\s*'active'/);
  });

  it('fetches by setting active and started_on, counting a retry only for an item that started before', () => {
    // The fetch statement is not exported; its source is the contract the give-back undoes.
    const source = readFileSync(join(dirname(require.resolve('pg-boss/package.json')), 'src', 'plans.js'), 'utf8');
    const fetch = source.slice(source.indexOf('function fetchNextJob'), source.indexOf('RETURNING', source.indexOf('function fetchNextJob')));
    expect(fetch).toContain("state = '${JOB_STATES.active}'");
    expect(fetch).toContain('started_on = now()');
    expect(fetch).toContain('retry_count = CASE WHEN started_on IS NOT NULL THEN retry_count + 1 ELSE retry_count END');
  });
});
