import { ConfigError, loadConfig, withDatabaseUrl } from './config';

describe('loadConfig', () => {
  it('runs embedded with in-process stores on an empty environment', () => {
    const config = loadConfig({});
    expect(config.database.mode).toBe('embedded');
    expect(config.database.migrateOnBoot).toBe(true);
    expect(config.redis.url).toBeUndefined();
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000, bodyLimitBytes: 1048576, trustProxy: false });
  });

  it('does not migrate at boot in production mode unless asked to', () => {
    const url = 'postgres://app@db:5432/atrium';
    expect(loadConfig({ DATABASE_URL: url }).database.migrateOnBoot).toBe(false);
    expect(loadConfig({ DATABASE_URL: url, MIGRATE_ON_BOOT: 'true' }).database.migrateOnBoot).toBe(true);
    expect(loadConfig({ DATABASE_URL: url }).database.mode).toBe('external');
  });

  it('keeps /metrics private with a DATABASE_URL, whatever NODE_ENV says, unless METRICS_PUBLIC says otherwise', () => {
    const url = 'postgres://app@db:5432/atrium';
    expect(loadConfig({}).monitoring.metricsPublic).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url }).monitoring.metricsPublic).toBe(true);
    expect(loadConfig({ DATABASE_URL: url }).monitoring.metricsPublic).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).monitoring.metricsPublic).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, METRICS_PUBLIC: 'true' }).monitoring.metricsPublic).toBe(true);
  });

  it('refuses SSO issuers on internal addresses in production unless SSO_ALLOW_PRIVATE_ISSUERS says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).sso.allowPrivateIssuers).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SSO_ALLOW_PRIVATE_ISSUERS: 'true' }).sso.allowPrivateIssuers).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).sso.allowPrivateIssuers).toBe(true);
    expect(loadConfig({}).sso.allowPrivateIssuers).toBe(true);
    expect(loadConfig({ SSO_ALLOW_PRIVATE_ISSUERS: 'false' }).sso.allowPrivateIssuers).toBe(false);
  });

  it('is deeply frozen', () => {
    const config = withDatabaseUrl(loadConfig({}), 'postgres://x@localhost/db');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database.pool)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('names every bad key and never echoes a value', () => {
    const secret = 's3cr3t-value';
    let caught: unknown;
    try {
      loadConfig({ PORT: secret, DATABASE_URL: `mysql://root:${secret}@db/x`, LOG_LEVEL: secret, DATABASE_POOL_MAX: '0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect((caught as ConfigError).problems).toHaveLength(4);
    for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DATABASE_POOL_MAX']) expect(message).toContain(key);
    expect(message).not.toContain(secret);
  });

  it('reaches Redis through Sentinel when REDIS_SENTINELS is set, and names a bad list without echoing it', () => {
    expect(loadConfig({}).redis.sentinel).toBeUndefined();
    const sentinel = loadConfig({ REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[::1]:26381' }).redis.sentinel;
    expect(sentinel).toEqual({
      nodes: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
    });
    const named = loadConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_MASTER: 'atrium', REDIS_SENTINEL_PASSWORD: 'pw' });
    expect(named.redis.sentinel).toEqual({ nodes: [{ host: 'a', port: 1 }], masterName: 'atrium', password: 'pw' });
    for (const bad of ['s3cr3t-host', 'a:26379,', 'a:0', 'a:65536', 'a:b']) {
      let caught: unknown;
      try {
        loadConfig({ REDIS_SENTINELS: bad });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems).toEqual(['REDIS_SENTINELS must be a comma-separated list of host:port (port 1 to 65535)']);
      expect((caught as ConfigError).message).not.toContain(bad);
    }
  });

  it('routes reads to a replica only when DATABASE_REPLICA_URL is set, with its lag bound and pool', () => {
    expect(loadConfig({}).database.replica).toBeUndefined();
    expect(loadConfig({ DATABASE_REPLICA_MAX_LAG_MS: '100' }).database.replica).toBeUndefined();
    const url = 'postgres://app@replica:5432/atrium';
    expect(loadConfig({ DATABASE_REPLICA_URL: url, DATABASE_POOL_MAX: '7' }).database.replica).toEqual({ url, maxLagMs: 5000, poolMax: 7 });
    expect(
      loadConfig({ DATABASE_REPLICA_URL: url, DATABASE_REPLICA_MAX_LAG_MS: '250', DATABASE_REPLICA_POOL_MAX: '3' }).database.replica,
    ).toEqual({ url, maxLagMs: 250, poolMax: 3 });
  });

  it('names bad replica settings without echoing them', () => {
    const secret = 's3cr3t-value';
    let caught: unknown;
    try {
      loadConfig({
        DATABASE_REPLICA_URL: `mysql://root:${secret}@db/x`,
        DATABASE_REPLICA_MAX_LAG_MS: '5',
        DATABASE_REPLICA_POOL_MAX: secret,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      'DATABASE_REPLICA_URL must be a URL starting with postgres:// or postgresql://',
      'DATABASE_REPLICA_MAX_LAG_MS must be an integer from 10 to 3600000',
      'DATABASE_REPLICA_POOL_MAX must be an integer from 1 to 500',
    ]);
    expect((caught as ConfigError).message).not.toContain(secret);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: ' ' }).http.port).toBe(3000);
  });
});
