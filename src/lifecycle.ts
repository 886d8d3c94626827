import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig } from './config';
import { ShutdownState } from './monitoring';

export interface ShutdownHooks {
  /** Runs after the app closed (e.g. stop the embedded PostgreSQL). */
  readonly afterClose?: () => Promise<void>;
  readonly exit: (code: number) => void;
}

/**
 * SIGTERM/SIGINT: readiness turns 503 at once, the load balancer gets `drainDelayMs` to stop
 * sending traffic, then the server stops accepting connections and waits for in-flight requests
 * (bounded by `graceMs`), pools close and the process exits 0 (1 if the grace period ran out).
 *
 * Idle keep-alive sockets are closed first, at the start of the drain, rather than at the final
 * close: a client whose idle socket is closed then opens a new one while the instance still
 * answers (with `connection: close`, see registerDrainingHook), instead of having its next request
 * race the listener's close. Sockets with a request in flight are never cut; they close after it.
 */
export function installGracefulShutdown(app: NestFastifyApplication, config: ResolvedConfig, hooks: ShutdownHooks): () => void {
  const logger = new Logger('Shutdown');
  let started = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) return;
    started = true;
    app.get(ShutdownState).beginDraining();
    logger.log(`${signal} received: draining for ${config.shutdown.drainDelayMs} ms, then closing`);
    void shutDown().then(hooks.exit);
  };

  const shutDown = async (): Promise<number> => {
    (app.getHttpServer() as Server).closeIdleConnections();
    await delay(config.shutdown.drainDelayMs);
    const closed = app.close().then(() => 'closed' as const);
    const outcome = await Promise.race([closed, delay(config.shutdown.graceMs).then(() => 'timeout' as const)]);
    if (outcome === 'timeout') logger.error(`In-flight requests still running after ${config.shutdown.graceMs} ms; exiting anyway`);
    try {
      await hooks.afterClose?.();
    } catch (error) {
      logger.error({ err: error }, 'Cleanup after close failed');
      return 1;
    }
    logger.log('Shutdown complete');
    return outcome === 'closed' ? 0 : 1;
  };

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
