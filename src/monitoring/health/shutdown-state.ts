import type { FastifyInstance } from 'fastify';
import { Injectable } from '@nestjs/common';

/** Set when the process starts draining; readiness answers 503 from then on. */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beginDraining(): void {
    this.draining = true;
  }
}

/**
 * While draining, every response closes its connection: a keep-alive socket whose request was
 * in flight at SIGTERM would otherwise hold the closing server open until its idle timeout.
 */
export function registerDrainingHook(fastify: FastifyInstance, state: ShutdownState): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (state.isDraining) reply.header('connection', 'close');
    done(null, payload);
  });
}
