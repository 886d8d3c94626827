import './instrument';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';

import { ConfigError, loadConfig, withDatabaseUrl } from './config';
import { RunningPostgres, applyMigrations, seedDemo, startEmbeddedPostgres } from './database';
import { installGracefulShutdown } from './lifecycle';
import { consoleDestination, createNestLogger, createRootLogger } from './monitoring';

let embedded: RunningPostgres | undefined;

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const rootLogger = createRootLogger(config.log.level, consoleDestination(config.env));
  Logger.overrideLogger(createNestLogger(rootLogger));
  const logger = new Logger('Bootstrap');

  if (config.database.mode === 'embedded') {
    embedded = await startEmbeddedPostgres({ ...config.database.embedded, database: 'atrium' });
  }
  const resolved = withDatabaseUrl(config, embedded?.url ?? (config.database.url as string));

  if (resolved.database.migrateOnBoot) await applyMigrations(resolved);
  const app = await createApp(resolved, { logger: rootLogger });
  // The embedded demo comes with data and a key to try it with; production never seeds by itself.
  const demo = embedded ? await seedDemo(app, `${config.database.embedded.dataDir}-demo.json`) : undefined;

  installGracefulShutdown(app, resolved, {
    afterClose: async () => embedded?.stop(),
    exit: (code) => process.exit(code),
  });
  await app.listen({ host: resolved.http.host, port: resolved.http.port });

  const base = `http://${resolved.http.host === '0.0.0.0' ? 'localhost' : resolved.http.host}:${resolved.http.port}`;
  const redis = resolved.redis.sentinel ? 'Redis through Sentinel' : resolved.redis.url ? 'Redis' : 'in-process stores (no REDIS_URL)';
  logger.log(
    embedded
      ? `Embedded mode: PostgreSQL from ${config.database.embedded.dataDir} on port ${config.database.embedded.port}, ` +
          `${redis}`
      : `Production mode: external PostgreSQL, ${redis}, ` +
          `migrations ${resolved.database.migrateOnBoot ? 'applied at boot' : 'not applied at boot (npm run migration:up)'}`,
  );
  logger.log(`Atrium listening on ${base}: API ${base}/v1, explorer ${base}/docs, OpenAPI document ${base}/docs/openapi.json`);
  if (demo) {
    logger.log(`Demo organization ${demo.organizationId}: sign in as ${demo.email} / ${demo.password}, or call the API with the demo key`);
    logger.log(`  curl -H 'Authorization: Bearer ${demo.apiKey}' ${base}/v1/contacts`);
  }
}

bootstrap().catch(async (error: unknown) => {
  // The logger may not exist yet; a config error must print its key names and nothing else.
  const message = error instanceof ConfigError ? error.message : `Atrium failed to start: ${(error as Error)?.stack ?? error}`;
  process.stderr.write(`${message}\n`);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
