import { ConsoleLogger, Global, Module, ModuleMetadata, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { Principal, RequestContext, RequestContextModule, TenantContext } from '@app/request-context';
import { CachingModule } from '../../../src/caching';
import { ConfigModule, ResolvedConfig, loadConfig, withDatabaseUrl } from '../../../src/config';
import { DatabaseModule } from '../../../src/database';
import { IdempotencyModule } from '../../../src/idempotency';
import { MetricsModule } from '../../../src/monitoring/metrics/metrics.module';
import { ORM_MODEL } from '../../../src/orm-model';
import { TenancyModule } from '../../../src/tenancy';

/**
 * The middle tier's set-up, as Jest hooks: the Nest modules a suite tests, on the real PostgreSQL
 * (the database global-setup.ts migrated) and Redis, with no HTTP adapter and no AppModule. Always
 * present, because every feature builds on them: the config, the request context, the ORM, the
 * metrics, the caches (Redis when REDIS_URL is set), tenancy (TenantDatabase, security events) and
 * idempotency (creating routes of several modules name its interceptor). Beside them,
 * a connection as the migrations' owner (a superuser), to seed states no service reaches on
 * demand (a row made old) and to read rows past RLS.
 */
export interface Integration {
  readonly module: TestingModule;
  readonly config: ResolvedConfig;
  /** The migrations' owner: reads past RLS, backdates rows. */
  readonly db: Client;
  get<T>(type: Type<T> | string | symbol): T;
  /** Runs `work` in a request context for `orgId`: as a system principal (as a job acting for the org), or as `principal`. */
  asTenant<T>(orgId: string, work: () => Promise<T>, principal?: Principal): Promise<T>;
}

/**
 * The metrics every job and cache counts in, as MonitoringModule provides them to the app, without
 * its health checks (background probes) and error reporter.
 */
@Global()
@Module({ imports: [MetricsModule], exports: [MetricsModule] })
class IntegrationMetricsModule {}

export interface IntegrationOptions {
  /** The modules under test (and those a suite seeds through), beside the ones always present. */
  readonly imports?: NonNullable<ModuleMetadata['imports']>;
  /** Environment overrides on top of the test process's environment (DATABASE_POOL_MAX=1, say). */
  readonly env?: Record<string, string>;
}

export function useIntegrationModule(options: IntegrationOptions = {}): Integration {
  const { imports = [], env = {} } = options;
  const made: { module?: TestingModule; config?: ResolvedConfig; db?: Client } = {};
  beforeAll(async () => {
    const config = withDatabaseUrl(loadConfig({ ...process.env, NODE_ENV: 'test', ...env }), process.env.DATABASE_URL as string);
    const module = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        RequestContextModule,
        DatabaseModule.forRoot(ORM_MODEL),
        IntegrationMetricsModule,
        CachingModule,
        TenancyModule,
        IdempotencyModule,
        ...imports,
      ],
    })
      .setLogger(new ConsoleLogger({ logLevels: process.env.TEST_LOG_LEVEL ? ['error', 'warn', 'log'] : ['fatal'] }))
      .compile();
    // Lifecycle hooks run (jobs and security-event listeners register); no HTTP server is made.
    await module.init();
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    Object.assign(made, { module, config, db });
  }, 30_000);
  afterAll(async () => {
    await made.db?.end();
    await made.module?.close();
  });
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the integration ${name} is made in beforeAll: read it inside a hook or a test`);
    return value;
  };
  return {
    get module() {
      return ready(made.module, 'module');
    },
    get config() {
      return ready(made.config, 'config');
    },
    get db() {
      return ready(made.db, 'db');
    },
    get<T>(type: Type<T> | string | symbol): T {
      // Providers a module keeps to itself (a repository, a service without an export) are reached too.
      return ready(made.module, 'module').get<T>(type, { strict: false });
    },
    asTenant<T>(orgId: string, work: () => Promise<T>, principal?: Principal): Promise<T> {
      const tenant = principal ? { ...systemTenant(orgId), principal } : systemTenant(orgId);
      return ready(made.module, 'module').get(RequestContext).runForTenant(tenant, work);
    },
  };
}

export function systemTenant(orgId: string): TenantContext {
  return { orgId, principal: { type: 'system', id: 'integration-test' }, permissions: new Set() };
}
