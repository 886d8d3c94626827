export { IdempotencyModule } from './idempotency.module';
export { IDEMPOTENCY_HEADER, Idempotent } from './idempotency.interceptor';
export { IDEMPOTENCY_TTL_HOURS } from './idempotency.service';
export { IdempotencyRecord } from './idempotency-record.entity';
