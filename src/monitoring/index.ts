export { HealthModule } from './health/health.module';
export { ShutdownState, registerDrainingHook } from './health/shutdown-state';
export { registerAccessLog } from './logging/access-log';
export { createNestLogger } from './logging/nest-logger';
export { createRootLogger } from './logging/root-logger';
