import type { DestinationStream } from 'pino';
import type { AppConfig } from '../../config';

/**
 * Where the root logger writes: coloured one-line entries (pino-pretty) when a person reads
 * stdout, i.e. in development on a terminal; `undefined`, pino's JSON lines on stdout, everywhere
 * else (tests, production, CI, anything piped to a file or a log shipper).
 *
 * pino-pretty is a development dependency, so a production install (`npm ci --omit=dev`) run in
 * development mode on a terminal falls back to JSON instead of failing. Its stream runs in this
 * thread and writes synchronously, unlike a transport's worker: the last lines before
 * `process.exit` (a failed boot, the end of a drain) are never lost, and the cost of formatting
 * is paid only on a developer's machine.
 */
export function consoleDestination(env: AppConfig['env'], stdout: { isTTY?: boolean } = process.stdout): DestinationStream | undefined {
  if (env !== 'development' || !stdout.isTTY) return undefined;
  let pretty: typeof import('pino-pretty');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional at run time, see above
    pretty = require('pino-pretty') as typeof import('pino-pretty');
  } catch {
    return undefined;
  }
  return pretty.build({ ...PRETTY_OPTIONS, sync: true, colorize: true });
}

/** One line per entry: time, level, `[Context] message`, then the other fields as compact JSON. */
export const PRETTY_OPTIONS = {
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  // Nest's logger names the class in `context`; it reads best in front of the message.
  messageFormat: '{if context}[{context}] {end}{msg}',
  ignore: 'pid,hostname,service,context',
} as const;
