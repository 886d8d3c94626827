import pino, { Logger as PinoInstance } from 'pino';
import { RequestContext } from '@app/request-context';
import { LogLevel } from '../../config';
import { serializeLoggedError } from '../errors/scrub';
import { activeTraceId } from '../tracing/instrumentation';

/** Fields never written to a log, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'secret',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.secret',
];

/**
 * The process's one pino logger. Every line carries the request id, org id and trace id of the
 * context it was written in, so no caller builds prefixes by hand.
 */
export function createRootLogger(level: LogLevel, destination?: pino.DestinationStream): PinoInstance {
  return pino(
    {
      level,
      base: { service: 'atrium' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      serializers: { err: (error: unknown) => serializeLoggedError(error, pino.stdSerializers.err) },
      mixin() {
        const context = RequestContext.current();
        const requestId = context.requestId;
        const traceId = activeTraceId();
        if (!requestId) return traceId ? { traceId } : {};
        const orgId = context.orgId;
        return { requestId, ...(orgId ? { orgId } : {}), ...(traceId ? { traceId } : {}) };
      },
    },
    destination,
  );
}
