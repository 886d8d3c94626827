import type { PrivatePgBouncer } from './private-pgbouncer';

export default async function globalTeardown(): Promise<void> {
  const bouncer = (globalThis as { __privatePgBouncer__?: PrivatePgBouncer }).__privatePgBouncer__;
  if (bouncer) {
    // What the pass sent through it, for the CI log: transactions and statements, and per pool.
    const stats = await bouncer.admin<Record<string, string>>('SHOW STATS').catch(() => []);
    const through = stats.filter((row) => row.database !== 'pgbouncer');
    const sum = (column: string) => through.reduce((total, row) => total + Number(row[column] ?? 0), 0);
    process.stdout.write(
      `\npgbouncer (transaction mode, ${process.env.E2E_PGBOUNCER_POOL_SIZE ?? 3} server connections per pool): ` +
        `${sum('total_xact_count')} transactions, ${sum('total_query_count')} statements, ${through.length} databases\n`,
    );
    await bouncer.stop();
  }
  const server = (globalThis as { __embeddedPostgres__?: { stop(): Promise<void> } }).__embeddedPostgres__;
  await server?.stop();
}
