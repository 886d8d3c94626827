import { startChildApp } from '../support/child-app';

describe('Graceful shutdown (e2e)', () => {
  it('on SIGTERM answers readiness 503 while a slow in-flight request completes, then exits 0', async () => {
    const child = await startChildApp('test/support/serve-probe-app.ts', {
      SHUTDOWN_DRAIN_DELAY_MS: '1500',
      SHUTDOWN_GRACE_MS: '5000',
    });
    try {
      expect((await fetch(`${child.baseUrl}/health/ready`)).status).toBe(200);
      const slow = fetch(`${child.baseUrl}/test-probe/slow?ms=2500`);
      await new Promise((resolve) => setTimeout(resolve, 300));

      child.process.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));

      const ready = await fetch(`${child.baseUrl}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { details: Record<string, unknown> };
      expect(body.details.lifecycle).toEqual({ status: 'down', state: 'draining' });

      const slowResponse = await slow;
      expect(slowResponse.status).toBe(200);
      expect(await slowResponse.json()).toEqual({ waitedMs: 2500 });

      expect(await child.exited).toBe(0);
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});
