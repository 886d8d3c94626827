import { Agent, IncomingMessage, request } from 'node:http';
import type { Socket } from 'node:net';
import { startChildApp } from '../../support/child-app';

/**
 * On SIGTERM, idle keep-alive sockets are closed first, at the start of the drain, while a request
 * in flight on another socket still completes: a keep-alive client then reconnects while the
 * instance still answers, instead of racing the final close.
 */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly socket: Socket;
}

function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (response: IncomingMessage) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, socket: req.socket as Socket }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('Shutdown with keep-alive clients (e2e)', () => {
  it('closes idle keep-alive sockets when draining starts and lets the in-flight request finish', async () => {
    const drainMs = 3_000;
    const child = await startChildApp('test/support/serve-probe-app.ts', {
      SHUTDOWN_DRAIN_DELAY_MS: String(drainMs),
      SHUTDOWN_GRACE_MS: '8000',
    });
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(`${child.baseUrl}/health/live`, idleAgent);
      expect(first.status).toBe(200);
      const idleClosed = new Promise<number>((resolve) => first.socket.once('close', () => resolve(Date.now())));

      const slow = get(`${child.baseUrl}/test-probe/slow?ms=1500`, busyAgent);
      const readyBefore = await fetch(`${child.baseUrl}/health/ready`);
      expect(readyBefore.status).toBe(200);

      const signalledAt = Date.now();
      child.process.kill('SIGTERM');
      const closedAt = await idleClosed;
      // Closed at the start of the drain, not at its end.
      expect(closedAt - signalledAt).toBeLessThan(drainMs / 2);

      const slowAnswer = await slow;
      expect(slowAnswer.status).toBe(200);
      expect(JSON.parse(slowAnswer.body)).toEqual({ waitedMs: 1500 });

      // A keep-alive client that reconnects during the drain is still answered.
      const again = await get(`${child.baseUrl}/health/live`, idleAgent);
      expect(again.status).toBe(200);

      expect(await child.exited).toBe(0);
    } finally {
      idleAgent.destroy();
      busyAgent.destroy();
      child.process.kill('SIGKILL');
    }
  }, 30_000);
});
