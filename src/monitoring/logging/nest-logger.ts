import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Logger as PinoInstance } from 'pino';

/** Nest's logger API over our pino instance (nestjs-pino), so `new Logger(Class.name)` writes JSON with context. */
export function createNestLogger(rootLogger: PinoInstance): NestPinoLogger {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger: rootLogger } }), {});
}
