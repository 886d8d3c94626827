export { APP_CONFIG, ConfigModule } from './config.module';
export { AppConfig, ConfigError, LogLevel, ResolvedConfig, loadConfig, withDatabaseUrl } from './config';
