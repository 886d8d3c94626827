import { ModuleMetadata } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createRootLogger } from '../../src/monitoring/logging/root-logger';
import { createApp } from '../../src/app.factory';
import { LogLevel, ResolvedConfig, loadConfig, withDatabaseUrl } from '../../src/config';

/** Suites make thousands of requests from one address; rate-limit tests set their own limits. */
export const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_FREE: '1000000',
  RATE_LIMIT_PRO: '1000000',
  RATE_LIMIT_ENTERPRISE: '1000000',
  AUTH_RATE_LIMIT_PER_IP: '100000',
  AUTH_RATE_LIMIT_PER_EMAIL: '100000',
  AUTH_FAILURE_LIMIT_PER_IP: '100000',
};

export interface TestAppOptions {
  /** Environment overrides on top of the test process's environment. */
  readonly env?: Record<string, string>;
  readonly imports?: ModuleMetadata['imports'];
}

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: ResolvedConfig;
}

/** The real application (real Fastify, PostgreSQL and Redis when REDIS_URL is set), built the way main.ts builds it. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', ...GENEROUS_RATE_LIMITS, ...options.env };
  const config = withDatabaseUrl(loadConfig(env), env.DATABASE_URL as string);
  const logger = createRootLogger((process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent');
  const app = await createApp(config, { extraImports: options.imports, logger });
  await app.getHttpAdapter().getInstance().ready();
  return { app, config };
}
