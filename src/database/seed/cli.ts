import { Logger } from '@nestjs/common';
import { createApp } from '../../app.factory';
import { ConfigError, loadConfig, withDatabaseUrl } from '../../config';
import { createNestLogger, createRootLogger } from '../../monitoring';
import { startEmbeddedPostgres } from '../embedded-postgres';
import { applyMigrations } from '../migrate';
import { seedBench } from './bench-seed';
import { seedDemo } from './demo-seed';

const USAGE = 'usage: cli.js demo | bench [--orgs N] [--contacts N]';

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** `npm run seed` (demo org) and `npm run seed:bench` (scale data). Without DATABASE_URL both use the embedded PostgreSQL. */
async function main([command, ...args]: string[]): Promise<void> {
  if (command !== 'demo' && command !== 'bench') throw new Error(USAGE);
  // Seeding signs up many owners in-process from one address: the per-IP sign-up limit is for clients, not for this tool.
  const config = loadConfig({ ...process.env, AUTH_RATE_LIMIT_PER_IP: '100000', AUTH_RATE_LIMIT_PER_EMAIL: '100000' });
  const rootLogger = createRootLogger(config.log.level === 'warn' ? 'info' : config.log.level);
  Logger.overrideLogger(createNestLogger(rootLogger));
  const embedded =
    config.database.mode === 'embedded' ? await startEmbeddedPostgres({ ...config.database.embedded, database: 'atrium' }) : undefined;
  const resolved = withDatabaseUrl(config, embedded?.url ?? (config.database.url as string));
  try {
    await applyMigrations(resolved);
    const app = await createApp(resolved, { logger: rootLogger });
    try {
      if (command === 'demo') {
        const file = config.database.mode === 'embedded' ? `${config.database.embedded.dataDir}-demo.json` : '.data/demo-credentials.json';
        const demo = await seedDemo(app, file);
        process.stdout.write(
          `Demo organization ${demo.organizationId}\n  sign in: ${demo.email} / ${demo.password}\n  API key: ${demo.apiKey}\n`,
        );
      } else {
        const orgs = await seedBench(app, {
          orgs: flag(args, '--orgs', 50),
          contactsPerOrg: flag(args, '--contacts', 20_000),
          ownerUrl: resolved.database.url,
          credentialsFile: '.data/bench-credentials.json',
        });
        process.stdout.write(`Seeded ${orgs.length} organizations; API keys in .data/bench-credentials.json\n`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
