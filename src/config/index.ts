export { APP_CONFIG, ConfigModule } from './config.module';
export { AppConfig, ConfigError, LogLevel, RedisSentinelConfig, ResolvedConfig, loadConfig, withDatabaseUrl } from './config';
