export { MonitoringModule } from './monitoring.module';
export { ShutdownState, registerDrainingHook } from './health/shutdown-state';
export { registerAccessLog } from './logging/access-log';
export { consoleDestination } from './logging/console-destination';
export { createNestLogger } from './logging/nest-logger';
export { createRootLogger } from './logging/root-logger';
export { METRIC } from './metrics/metric-catalogue';
export { Metrics } from './metrics/metrics.service';
export { registerHttpMetrics } from './metrics/http-metrics.hook';
