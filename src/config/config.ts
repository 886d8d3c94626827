import { EnvReader } from './env-reader';
import { version as PACKAGE_VERSION } from '../../package.json';

export { ConfigError } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type NodeEnv = 'development' | 'production' | 'test';

/**
 * The whole runtime configuration, read once from the environment at boot.
 * `database.url` is absent only until the embedded PostgreSQL is running
 * (see `database/embedded-postgres.ts`); everything that runs later gets it set.
 */
export interface AppConfig {
  readonly env: NodeEnv;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly trustProxy: boolean;
    /** Where clients reach the API (behind a proxy: its public URL); the OpenAPI `servers` entry and the explorer's examples. */
    readonly publicUrl?: string;
  };
  readonly log: { readonly level: LogLevel };
  readonly database: {
    /** `embedded` when no DATABASE_URL was given: the app runs its own PostgreSQL. */
    readonly mode: 'embedded' | 'external';
    readonly url?: string;
    readonly pool: { readonly min: number; readonly max: number; readonly idleTimeoutMs: number };
    readonly statementTimeoutMs: number;
    /** A statement slower than this gets a warn log line (its SQL with the values redacted); 0 = never. */
    readonly slowQueryMs: number;
    readonly migrateOnBoot: boolean;
    readonly embedded: { readonly port: number; readonly dataDir: string };
    /** A streaming read replica for list, search, export and report reads (README: Read replica); absent: every read goes to the primary. */
    readonly replica?: {
      readonly url: string;
      /** Replay lag beyond which replica-routed reads go to the primary. */
      readonly maxLagMs: number;
      readonly poolMax: number;
    };
  };
  readonly redis: {
    /** Standalone Redis; with `sentinel` set, only its credentials and database number are used. */
    readonly url?: string;
    /** Reach the primary through Redis Sentinel (and follow it across failovers) instead of at `url`'s host. */
    readonly sentinel?: RedisSentinelConfig;
    /** A Redis command unanswered after this long counts as failed; one request waits for at most one such timeout. */
    readonly commandTimeoutMs: number;
  };
  readonly auth: {
    /** A session unused for this long ends. */
    readonly sessionIdleMs: number;
    /** A session ends this long after sign-in, however busy. */
    readonly sessionAbsoluteMs: number;
    readonly invitationTtlMs: number;
    /** Organizations one user may own (sign-up's first one included). */
    readonly organizationsPerUser: number;
  };
  readonly shutdown: { readonly graceMs: number; readonly drainDelayMs: number };
  /** Single sign-on (src/tenancy/sso). */
  readonly sso: {
    /** DNS servers (`host:port`) the domain verification asks for TXT records; absent: the system resolver. */
    readonly dnsResolvers?: readonly string[];
    /** How long a started sign-in may take at the identity provider before its callback is refused. */
    readonly stateTtlMs: number;
    /** Whether an issuer URL may be plain `http:` (development and tests); production requires `https:`. */
    readonly allowHttpIssuers: boolean;
    /**
     * Whether an issuer's host may resolve to a loopback, private, link-local or other internal
     * address (development and tests); production refuses them, against SSRF through the public start route.
     */
    readonly allowPrivateIssuers: boolean;
    /** An app page the callback redirects to with the session in the URL fragment; absent: the callback answers JSON. */
    readonly signedInRedirectUrl?: string;
  };
  /** Secrets Atrium must read back (TOTP seeds, SSO client secrets) are sealed with this key (AES-256-GCM). */
  readonly secrets: {
    /** 32 bytes, base64. */
    readonly encryptionKey: string;
    /** No SECRETS_ENCRYPTION_KEY was given: the embedded development key is in use (warned about in production). */
    readonly usingDevelopmentKey: boolean;
  };
  readonly cache: {
    readonly ttlMs: number;
    /** Whether readiness fails (503) while Redis is unreachable; by default it reports `degraded` and stays ready. */
    readonly degradedFailsReadiness: boolean;
  };
  readonly rateLimits: {
    readonly windowMs: number;
    /** Requests per window for one API key or session, by the org's plan. */
    readonly perPrincipal: { readonly free: number; readonly pro: number; readonly enterprise: number };
    /** An org's whole traffic may be this many times one principal's limit. */
    readonly orgMultiplier: number;
    /** Login, sign-up and invitation acceptance, per client IP and per email, per window. */
    readonly authPerIp: number;
    readonly authPerEmail: number;
    /** Bearer tokens that resolve to nothing, per client IP per window, before that IP gets 429. */
    readonly authFailuresPerIp: number;
  };
  readonly monitoring: {
    /** When set, /metrics requires `Authorization: Bearer <token>`. */
    readonly metricsToken?: string;
    /**
     * Without a token, whether /metrics answers anyone (it lists every tenant's org id): yes in
     * embedded mode and tests; no with a DATABASE_URL (production, whatever NODE_ENV says) unless
     * METRICS_PUBLIC=true says the port is private.
     */
    readonly metricsPublic: boolean;
    /** Orgs beyond this many get the `other` label on per-tenant metrics. */
    readonly maxTenantLabels: number;
    readonly sentryDsn?: string;
    readonly otlpEndpoint?: string;
    /** Share of traces kept (0..1) when tracing is on. */
    readonly tracesSampleRate: number;
    /** Reported to Sentry and as the OpenTelemetry service version. */
    readonly release: string;
  };
  readonly compliance: {
    /**
     * PKCS#8 PEM of the Ed25519 key that signs audit checkpoints, erasure certificates and
     * reports. Without one, a key is generated once and kept in the database (fine for a laptop;
     * production should hold the key outside the database it vouches for).
     */
    readonly signingKeyPem?: string;
    /** Whether this instance runs the scheduled jobs (each still runs once per cluster). */
    readonly jobsEnabled: boolean;
    /** A running job's lease lasts this long unless its heartbeat renews it; a frozen holder is replaced after it. */
    readonly jobLeaseMs: number;
    /** The durable queue (pg-boss) that spreads per-organization work of a job run over every instance. */
    readonly jobQueue: {
      /** Items this instance works at once; 0 = it works none (it still queues runs it starts). */
      readonly concurrency: number;
      /** An item still active after this long is taken to be lost (its instance died) and retried. */
      readonly itemTimeoutSeconds: number;
      /** Retries after an item's first failure, with exponential backoff from `retryDelaySeconds`; then the dead letter. */
      readonly retryLimit: number;
      readonly retryDelaySeconds: number;
      /** How often (cluster-wide) timed-out items are failed over and old items archived. */
      readonly maintenanceIntervalSeconds: number;
      /** How often an idle worker looks for items. */
      readonly pollIntervalMs: number;
      /**
       * Organization items one fetch takes for this instance's workers (one shared sort of the
       * queue per batch, not per item); what is fetched but not started is given back at shutdown.
       */
      readonly batchSize: number;
    };
    /** Cron expressions (with seconds allowed) per scheduled job. */
    readonly schedules: {
      readonly auditCheckpoint: string;
      readonly auditVerifications: string;
      readonly retention: string;
      readonly privacyRequests: string;
      readonly evidence: string;
      readonly monthlyReports: string;
      readonly organizationClosures: string;
    };
    /** Days between an owner's request to close the org and the deletion of its data. */
    readonly closureGraceDays: number;
    /** Rows deleted or anonymised per statement by the retention job. */
    readonly retentionBatchSize: number;
    /** How long an access request's export stays downloadable. */
    readonly privacyExportTtlDays: number;
  };
}

export interface RedisSentinelConfig {
  /** Sentinels asked for the primary's address; any one reachable is enough. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  /** The name the Sentinels monitor the primary under. */
  readonly masterName: string;
  /** The Sentinels' own `requirepass`, when they have one (the data nodes' password comes from REDIS_URL). */
  readonly password?: string;
}

export type ResolvedConfig = AppConfig & { readonly database: AppConfig['database'] & { readonly url: string } };

/** Builds the validated, deeply frozen config. Throws a ConfigError naming every bad key (never its value). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const embedded = databaseUrl === undefined;
  const poolMax = read.int('DATABASE_POOL_MAX', { min: 1, max: 500, default: 10 });

  const config: AppConfig = {
    env: nodeEnv,
    http: {
      // A laptop running the embedded demo should not listen on every interface.
      host: read.string('HOST', embedded ? '127.0.0.1' : '0.0.0.0'),
      port: read.int('PORT', { min: 0, max: 65535, default: 3000 }),
      bodyLimitBytes: read.int('BODY_LIMIT_BYTES', { min: 1024, max: 100 * 1024 * 1024, default: 1024 * 1024 }),
      trustProxy: read.bool('TRUST_PROXY', false),
      publicUrl: read.url('PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    },
    log: { level: read.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info') },
    database: {
      mode: embedded ? 'embedded' : 'external',
      url: databaseUrl,
      pool: {
        min: read.int('DATABASE_POOL_MIN', { min: 0, max: poolMax, default: Math.min(2, poolMax) }),
        max: poolMax,
        idleTimeoutMs: read.int('DATABASE_IDLE_TIMEOUT_MS', { min: 1000, max: 3_600_000, default: 30_000 }),
      },
      statementTimeoutMs: read.int('DATABASE_STATEMENT_TIMEOUT_MS', { min: 0, max: 3_600_000, default: 15_000 }),
      slowQueryMs: read.int('DATABASE_SLOW_QUERY_MS', { min: 0, max: 3_600_000, default: 500 }),
      migrateOnBoot: read.bool('MIGRATE_ON_BOOT', embedded),
      embedded: {
        port: read.int('EMBEDDED_PG_PORT', { min: 1, max: 65535, default: 54329 }),
        dataDir: read.string('EMBEDDED_PG_DIR', '.data/postgres'),
      },
      replica: databaseReplica(read, poolMax),
    },
    redis: {
      url: read.url('REDIS_URL', ['redis:', 'rediss:']),
      sentinel: redisSentinel(read),
      commandTimeoutMs: read.int('REDIS_COMMAND_TIMEOUT_MS', { min: 10, max: 60_000, default: 1_000 }),
    },
    auth: {
      sessionIdleMs: read.int('SESSION_IDLE_TIMEOUT_MINUTES', { min: 1, max: 7 * 24 * 60, default: 60 }) * 60_000,
      sessionAbsoluteMs: read.int('SESSION_ABSOLUTE_TIMEOUT_HOURS', { min: 1, max: 90 * 24, default: 24 }) * 3_600_000,
      invitationTtlMs: read.int('INVITATION_TTL_HOURS', { min: 1, max: 30 * 24, default: 72 }) * 3_600_000,
      organizationsPerUser: read.int('ORGANIZATIONS_PER_USER_LIMIT', { min: 1, max: 10_000, default: 20 }),
    },
    cache: {
      ttlMs: read.int('CACHE_TTL_SECONDS', { min: 1, max: 86_400, default: 60 }) * 1000,
      degradedFailsReadiness: read.bool('CACHE_DEGRADED_FAILS_READINESS', false),
    },
    rateLimits: {
      windowMs: read.int('RATE_LIMIT_WINDOW_SECONDS', { min: 1, max: 3600, default: 60 }) * 1000,
      perPrincipal: {
        free: read.int('RATE_LIMIT_FREE', { min: 1, max: 1_000_000, default: 120 }),
        pro: read.int('RATE_LIMIT_PRO', { min: 1, max: 1_000_000, default: 600 }),
        enterprise: read.int('RATE_LIMIT_ENTERPRISE', { min: 1, max: 1_000_000, default: 3000 }),
      },
      orgMultiplier: read.int('RATE_LIMIT_ORG_MULTIPLIER', { min: 1, max: 1000, default: 5 }),
      authPerIp: read.int('AUTH_RATE_LIMIT_PER_IP', { min: 1, max: 100_000, default: 20 }),
      authPerEmail: read.int('AUTH_RATE_LIMIT_PER_EMAIL', { min: 1, max: 100_000, default: 5 }),
      authFailuresPerIp: read.int('AUTH_FAILURE_LIMIT_PER_IP', { min: 1, max: 100_000, default: 30 }),
    },
    monitoring: {
      metricsToken: read.secret('METRICS_TOKEN', 16),
      // Open only where no one else can be reached: embedded mode on a laptop, and tests.
      metricsPublic: read.bool('METRICS_PUBLIC', nodeEnv === 'test' || (embedded && nodeEnv !== 'production')),
      maxTenantLabels: read.int('METRICS_MAX_TENANT_LABELS', { min: 0, max: 10_000, default: 100 }),
      sentryDsn: read.url('SENTRY_DSN', ['http:', 'https:']),
      otlpEndpoint: read.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
      tracesSampleRate: read.ratio('TRACES_SAMPLE_RATE', 1),
      release: read.string('RELEASE', `atrium@${PACKAGE_VERSION}`),
    },
    compliance: {
      signingKeyPem: read.ed25519PrivateKey('SIGNING_PRIVATE_KEY'),
      jobsEnabled: read.bool('JOBS_ENABLED', nodeEnv !== 'test'),
      jobLeaseMs: read.int('JOB_LEASE_SECONDS', { min: 1, max: 3600, default: 30 }) * 1000,
      jobQueue: {
        concurrency: read.int('JOB_QUEUE_CONCURRENCY', { min: 0, max: 64, default: 2 }),
        itemTimeoutSeconds: read.int('JOB_ITEM_TIMEOUT_SECONDS', { min: 1, max: 86_400, default: 600 }),
        retryLimit: read.int('JOB_ITEM_RETRY_LIMIT', { min: 0, max: 100, default: 3 }),
        retryDelaySeconds: read.int('JOB_ITEM_RETRY_DELAY_SECONDS', { min: 0, max: 3600, default: 30 }),
        maintenanceIntervalSeconds: read.int('JOB_QUEUE_MAINTENANCE_SECONDS', { min: 1, max: 3600, default: 60 }),
        pollIntervalMs: read.int('JOB_QUEUE_POLL_MS', { min: 500, max: 60_000, default: 2_000 }),
        batchSize: read.int('JOB_QUEUE_BATCH_SIZE', { min: 1, max: 100, default: 16 }),
      },
      schedules: {
        auditCheckpoint: read.cron('JOB_AUDIT_CHECKPOINT_CRON', '0 5 * * * *'),
        // Picks up full audit verifications whose start was lost, and resumes those whose instance died.
        auditVerifications: read.cron('JOB_AUDIT_VERIFICATIONS_CRON', '30 * * * * *'),
        retention: read.cron('JOB_RETENTION_CRON', '0 30 2 * * *'),
        // Picks up privacy requests whose in-process start was lost (a crash, a restart).
        privacyRequests: read.cron('JOB_PRIVACY_REQUESTS_CRON', '0 * * * * *'),
        evidence: read.cron('JOB_EVIDENCE_CRON', '0 15 3 * * *'),
        // Early on the 1st: the report covers the month that just ended.
        monthlyReports: read.cron('JOB_MONTHLY_REPORTS_CRON', '0 45 4 1 * *'),
        organizationClosures: read.cron('JOB_ORGANIZATION_CLOSURES_CRON', '0 0 4 * * *'),
      },
      closureGraceDays: read.int('ORGANIZATION_CLOSURE_GRACE_DAYS', { min: 0, max: 365, default: 30 }),
      retentionBatchSize: read.int('RETENTION_BATCH_SIZE', { min: 1, max: 100_000, default: 1000 }),
      privacyExportTtlDays: read.int('PRIVACY_EXPORT_TTL_DAYS', { min: 1, max: 365, default: 30 }),
    },
    secrets: encryptionKey(read),
    sso: {
      dnsResolvers: read
        .hostPorts('SSO_DNS_RESOLVER')
        ?.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)),
      stateTtlMs: read.int('SSO_STATE_TTL_SECONDS', { min: 30, max: 3600, default: 600 }) * 1000,
      allowHttpIssuers: read.bool('SSO_ALLOW_HTTP_ISSUERS', nodeEnv !== 'production'),
      allowPrivateIssuers: read.bool('SSO_ALLOW_PRIVATE_ISSUERS', nodeEnv !== 'production'),
      signedInRedirectUrl: read.url('SSO_SIGNED_IN_REDIRECT_URL', ['http:', 'https:']),
    },
    shutdown: {
      graceMs: read.int('SHUTDOWN_GRACE_MS', { min: 0, max: 600_000, default: 25_000 }),
      drainDelayMs: read.int('SHUTDOWN_DRAIN_DELAY_MS', { min: 0, max: 120_000, default: nodeEnv === 'production' ? 5_000 : 0 }),
    },
  };
  read.assertValid();
  return deepFreeze(config);
}

/**
 * Not a secret: lets a laptop or a test run without configuration. Production sets its own key
 * (the app warns at boot when it does not), since anyone can read this one.
 */
const DEVELOPMENT_ENCRYPTION_KEY = Buffer.from('atrium development key: not secret!').subarray(0, 32).toString('base64');

function encryptionKey(read: EnvReader): AppConfig['secrets'] {
  const key = read.aes256Key('SECRETS_ENCRYPTION_KEY');
  return key === undefined
    ? { encryptionKey: DEVELOPMENT_ENCRYPTION_KEY, usingDevelopmentKey: true }
    : { encryptionKey: key, usingDevelopmentKey: false };
}

function redisSentinel(read: EnvReader): RedisSentinelConfig | undefined {
  const nodes = read.hostPorts('REDIS_SENTINELS');
  const masterName = read.string('REDIS_SENTINEL_MASTER', 'mymaster');
  const password = read.secret('REDIS_SENTINEL_PASSWORD', 1);
  return nodes ? { nodes, masterName, ...(password === undefined ? {} : { password }) } : undefined;
}

function databaseReplica(read: EnvReader, primaryPoolMax: number): AppConfig['database']['replica'] {
  const url = read.url('DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']);
  const maxLagMs = read.int('DATABASE_REPLICA_MAX_LAG_MS', { min: 10, max: 3_600_000, default: 5_000 });
  const poolMax = read.int('DATABASE_REPLICA_POOL_MAX', { min: 1, max: 500, default: primaryPoolMax });
  return url ? { url, maxLagMs, poolMax } : undefined;
}

export function withDatabaseUrl(config: AppConfig, url: string): ResolvedConfig {
  return deepFreeze({ ...config, database: { ...config.database, url } });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
