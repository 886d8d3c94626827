import { Logger } from '@nestjs/common';
import { createApp } from '../../app.factory';
import { ConfigError, loadConfig, withDatabaseUrl } from '../../config';
import { startEmbeddedPostgres } from '../../database';
import { createNestLogger, createRootLogger } from '../../monitoring';
import { TenantDatabase } from '../../tenancy';
import { JobRunItemsRepository } from './job-run-items.repository';
import { Jobs } from './jobs.service';

/**
 * `npm run job -- <name>` runs one scheduled job now, under the same lock and run record as the
 * schedule (so it never overlaps a scheduled run on another instance); `npm run job -- --list`
 * names them; `npm run job -- --runs [name]` prints the latest runs, one JSON line each, with
 * their counts (a fanned-out run in progress: its organizations done, active, queued and dead).
 * Exit code 0 when the run succeeded or another instance held the job, 1 when it failed.
 */
async function main([name, argument]: string[]): Promise<number> {
  // This process runs the one job asked for; its own schedules stay off.
  const config = loadConfig({ ...process.env, JOBS_ENABLED: 'false' });
  const rootLogger = createRootLogger(config.log.level === 'warn' ? 'info' : config.log.level);
  Logger.overrideLogger(createNestLogger(rootLogger));
  const embedded =
    config.database.mode === 'embedded' ? await startEmbeddedPostgres({ ...config.database.embedded, database: 'atrium' }) : undefined;
  try {
    const app = await createApp(withDatabaseUrl(config, embedded?.url ?? (config.database.url as string)), { logger: rootLogger });
    try {
      const jobs = app.get(Jobs);
      if (name === '--runs') {
        const recent = app.get(JobRunItemsRepository);
        const runs = await app.get(TenantDatabase).global((em) => recent.recentRuns(em, argument ?? null, 20));
        for (const run of runs) process.stdout.write(`${JSON.stringify(run)}\n`);
        return 0;
      }
      if (!name || name === '--list') {
        for (const job of jobs.list()) process.stdout.write(`${job.name.padEnd(24)} ${job.schedule ?? 'on demand'}  ${job.description}\n`);
        return name ? 0 : 1;
      }
      const result = await jobs.runNow(name);
      process.stdout.write(`${JSON.stringify({ job: name, ...result })}\n`);
      return result.status === 'failed' || result.status === 'lost' ? 1 : 0;
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
