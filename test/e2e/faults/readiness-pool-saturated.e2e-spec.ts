import { EntityManager } from '@mikro-orm/postgresql';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestApp } from '../../support/test-app';

/**
 * Readiness's database check must not wait for a pooled connection: during a load spike every
 * busy instance's pool queues, and a check that queued with them would take every instance out of
 * the balancer at once. With a pool of one connection held by a long statement, readiness still
 * answers 200 at once, for longer than the database check's "no answer" threshold (1 s).
 */
const HOLD_SECONDS = 3;
/** The balancer's check timeout is 1 s; readiness must answer far within it. */
const READY_BOUND_MS = 250;

let app: NestFastifyApplication;

beforeAll(async () => {
  ({ app } = await createTestApp({ env: { DATABASE_POOL_MAX: '1' } }));
});

afterAll(async () => {
  await app?.close();
});

describe('Readiness with the request pool saturated (e2e)', () => {
  it('answers 200 quickly while the only pooled connection is busy', async () => {
    const em = app.get(EntityManager);
    let held = true;
    const holder = em
      .getConnection()
      .execute(`select pg_sleep(${HOLD_SECONDS})`)
      .finally(() => (held = false));
    // The pool is saturated: a pooled statement queues behind the sleeping one.
    let queuedDone = false;
    const queued = em
      .getConnection()
      .execute('select 1')
      .finally(() => (queuedDone = true));

    const answers: { status: number; ms: number }[] = [];
    const started = performance.now();
    while (held) {
      const sent = performance.now();
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      answers.push({ status: response.statusCode, ms: performance.now() - sent });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const heldForMs = performance.now() - started;
    await Promise.all([holder, queued]);

    expect(queuedDone).toBe(true);
    expect(heldForMs).toBeGreaterThan(2_000);
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(READY_BOUND_MS);
    }
  });
});
