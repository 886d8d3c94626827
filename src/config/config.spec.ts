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

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: ' ' }).http.port).toBe(3000);
  });
});
