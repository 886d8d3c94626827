import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { versionKey } from '../../../src/caching/cache-keys';
import { Signed, createApiKey, signup } from '../../support/factories';
import { createTestApp } from '../../support/test-app';
import { Reply, call, instanceEnv } from './http-helpers';
import { PrivateSentinelGroup } from './private-sentinel';
import { eventually } from './private-redis';

/**
 * Atrium on Redis Sentinel: a private primary, two replicas and three Sentinels (private-sentinel.ts),
 * and an app that knows only the Sentinels (REDIS_SENTINELS, no REDIS_URL). Under a steady load of
 * API-key requests that use Redis on every call (rate-limit counters, the response and query
 * caches, version bumps on creates), the primary is failed over twice: planned (`SENTINEL
 * FAILOVER`), then by killing it (SIGKILL). Each time the app must follow the primary the Sentinels
 * promote (a write after the switch lands on it) without a 5xx, or, during the kill, only the
 * documented outage answer (503 problem+json with a stable code and Retry-After) and none once the
 * new primary answers.
 */
const WORKERS = 4;
/** Requests answered before a failover starts and after the app is seen on the new primary. */
const BEFORE = 40;
const AFTER = 120;
const OUTAGE_CODES = ['SERVICE_UNAVAILABLE', 'SESSIONS_UNAVAILABLE'];

let group: PrivateSentinelGroup;
let app: NestFastifyApplication;
let owner: Signed;
let apiKey: string;
let contactId: string;

beforeAll(async () => {
  group = await PrivateSentinelGroup.start();
  ({ app } = await createTestApp({
    env: instanceEnv('', { REDIS_SENTINELS: group.sentinelList, REDIS_SENTINEL_MASTER: group.masterName }),
  }));
  expect(await eventually(async () => (await cacheState()) === 'connected', 20_000)).toBe(true);
  owner = await signup(app);
  apiKey = (await createApiKey(app, owner, ['contacts:read', 'contacts:write'])).secret;
  const created = await call(app, 'POST', '/v1/contacts', apiKey, { firstName: 'Before', lastName: 'Failover' });
  expect(created.statusCode).toBe(201);
  contactId = created.json().id;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await group?.dispose();
});

async function cacheState(): Promise<unknown> {
  const response = await app.inject({ method: 'GET', url: '/health/ready' });
  return response.json().details?.cache?.state;
}

/** Steady traffic: each worker lists, reads one contact and creates one, in turn, until stopped. */
class SteadyLoad {
  readonly replies: Reply[] = [];
  private running = true;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly workers: Promise<void>[];

  constructor() {
    this.workers = Array.from({ length: WORKERS }, (_, worker) => this.work(worker));
  }

  /** Resolves once `more` further requests have been answered. */
  answered(more: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ count: this.replies.length + more, resolve }));
  }

  async stop(): Promise<Reply[]> {
    this.running = false;
    await Promise.all(this.workers);
    return this.replies;
  }

  private async work(worker: number): Promise<void> {
    for (let n = worker; this.running; n += 1) {
      this.replies.push(await this.send(n));
      this.waiters = this.waiters.filter((waiter) => {
        if (this.replies.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
    }
  }

  private send(n: number): Promise<Reply> {
    if (n % 3 === 0) return call(app, 'GET', '/v1/contacts', apiKey);
    if (n % 3 === 1) return call(app, 'GET', `/v1/contacts/${contactId}`, apiKey);
    return call(app, 'POST', '/v1/contacts', apiKey, { firstName: 'Load', lastName: `N${n}` });
  }
}

/** A contact created now bumps the org's version stamp on `port`: the app writes to that server. */
async function expectWritesLandOn(port: number): Promise<void> {
  const key = versionKey(owner.orgId, 'contacts');
  const before = Number((await group.get(port, key)) ?? '0');
  expect((await call(app, 'POST', '/v1/contacts', apiKey, { firstName: 'After', lastName: 'Switch' })).statusCode).toBe(201);
  expect(await eventually(async () => Number((await group.get(port, key)) ?? '0') > before, 15_000)).toBe(true);
}

const serverErrors = (replies: readonly Reply[]) => replies.filter((reply) => reply.statusCode >= 500);

describe('Redis through Sentinel (e2e)', () => {
  it('follows a planned SENTINEL FAILOVER under load without a single 5xx', async () => {
    const oldPrimary = await group.masterPort();
    const load = new SteadyLoad();
    await load.answered(BEFORE);
    const { switched } = await group.nextSwitch();
    await group.failover();
    const newPrimary = await switched;
    expect(newPrimary).not.toBe(oldPrimary);
    await expectWritesLandOn(newPrimary);
    await load.answered(AFTER);
    const replies = await load.stop();

    expect(await group.role(newPrimary)).toBe('master');
    expect(serverErrors(replies).map((reply) => `${reply.statusCode} ${reply.body}`)).toEqual([]);
    expect(replies.length).toBeGreaterThanOrEqual(BEFORE + AFTER);
    process.stdout.write(`planned failover: ${replies.length} requests, ${serverErrors(replies).length} 5xx\n`);
  }, 120_000);

  it('follows the replica promoted after the primary is killed, with no 5xx but the documented 503', async () => {
    await group.untilSettled(); // the demoted primary has rejoined as a replica, so a quorum can promote one
    const oldPrimary = await group.masterPort();
    const load = new SteadyLoad();
    await load.answered(BEFORE);
    const { switched } = await group.nextSwitch();
    await group.kill(oldPrimary);
    const newPrimary = await switched;
    expect(newPrimary).not.toBe(oldPrimary);
    await expectWritesLandOn(newPrimary);
    const recovered = load.replies.length;
    await load.answered(AFTER);
    const replies = await load.stop();

    for (const reply of serverErrors(replies)) {
      expect(reply.statusCode).toBe(503);
      expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(OUTAGE_CODES).toContain(reply.json().code);
      expect(reply.headers['retry-after']).toBeDefined();
    }
    expect(serverErrors(replies.slice(recovered))).toEqual([]);
    expect(await eventually(async () => (await cacheState()) === 'connected', 10_000)).toBe(true);
    process.stdout.write(`primary killed: ${replies.length} requests, ${serverErrors(replies).length} 5xx\n`);
  }, 120_000);
});
