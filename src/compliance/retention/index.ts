export { RetentionModule } from './retention.module';
export { RETENTION_CATEGORIES, RetentionCategory, isRetentionCategory } from './retention-categories';
