import { setTimeout as delay } from 'node:timers/promises';
import { RedisSentinelType, createSentinel } from '@redis/client';
import type { RedisSentinelConfig } from '../../config';
import { CONNECT_TIMEOUT_MS, PING_INTERVAL_MS, RedisLink, RedisLinkEvents } from './redis-link';
import { PrimaryAddress, SwitchWatch } from './switch-watch';

/** Between two attempts at the first connection (each already tries every Sentinel for about 16 s). */
const RETRY_FIRST_CONNECT_MS = 1_000;
/**
 * How often the Sentinel client asks a Sentinel for the topology (one short connection each time).
 * It is what moves the client to a primary promoted by a planned failover (see SwitchWatch), so it
 * bounds how long requests fall back after one.
 */
const TOPOLOGY_SCAN_MS = 1_000;

/** The primary's credentials and database number, from REDIS_URL when it is set (its host is not used). */
function primaryCredentials(url: string | undefined): { username?: string; password?: string; database?: number } {
  if (!url) return {};
  const parsed = new URL(url);
  const database = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(database) && database > 0 ? { database } : {}),
  };
}

/** Errors about a Sentinel connection, not the primary's: no outage of shared state. */
function concernsSentinelOnly(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^(Sentinel Client|obseve client error|None of the sentinels)/.test(message);
}

/**
 * The primary that the Sentinels name, followed across failovers by node-redis's Sentinel client:
 * it moves to a new primary when a topology scan finds one, on a READONLY reply (it wrote to a
 * demoted primary), and when its connection to the primary drops.
 *
 * Where its defaults do not fit our outage behaviour:
 * - its primary connections do not reconnect by themselves (`reconnectStrategy: false`): a
 *   reconnecting connection to a dead primary holds the client's rediscovery until that primary
 *   comes back, so after a hard kill it would never move to the promoted replica. Instead the
 *   Sentinel client opens a new connection to whatever the Sentinels name, once a second until one
 *   answers;
 * - its own `isReady` stays true while no primary is reachable; here the link is ready only while a
 *   connection to the primary is up (`getMasterNode()` names the primary only then), so callers fall
 *   back at once instead of each waiting for a command timeout (CacheAvailability);
 * - it does not hear `+switch-master` (SwitchWatch): from the moment a Sentinel announces a switch
 *   until the client is on the announced primary, the link is not ready, so no version stamp is
 *   written to a primary about to be demoted (the write's invalidation goes to the backlog and is
 *   applied to the new primary), and the switch counts as an outage (the cache epoch is bumped).
 */
export class SentinelLink implements RedisLink {
  readonly driver: RedisSentinelType;
  private readonly switches: SwitchWatch;
  private closed = false;
  /** Announced by a Sentinel, not yet the primary the client is connected to. */
  private movingTo: PrimaryAddress | null = null;
  /** A PING sent after a failure; its answer tells whether the primary is reachable again. */
  private recovery: Promise<void> | null = null;
  private events: RedisLinkEvents | null = null;

  constructor(sentinel: RedisSentinelConfig, url: string | undefined) {
    this.driver = createSentinel({
      name: sentinel.masterName,
      sentinelRootNodes: sentinel.nodes.map((node) => ({ host: node.host, port: node.port })),
      nodeClientOptions: {
        ...primaryCredentials(url),
        // As for a standalone server (standalone-link.ts): fail at once while the primary is away.
        disableOfflineQueue: true,
        pingInterval: PING_INTERVAL_MS,
        socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
      },
      sentinelClientOptions: {
        ...(sentinel.password === undefined ? {} : { password: sentinel.password }),
        socket: { connectTimeout: CONNECT_TIMEOUT_MS },
      },
      scanInterval: TOPOLOGY_SCAN_MS,
      // A lost primary connection is an outage like any other: CacheAvailability must hear of it.
      passthroughClientErrorEvents: true,
    });
    this.switches = new SwitchWatch(sentinel, (to) => this.switched(to));
  }

  isReady(): boolean {
    const primary = this.driver.isReady ? this.driver.getMasterNode() : undefined;
    if (!primary) return false;
    if (this.movingTo) {
      if (primary.host !== this.movingTo.host || primary.port !== this.movingTo.port) return false;
      this.movingTo = null; // the client has caught up with the announced switch
    }
    return true;
  }

  isOpen(): boolean {
    return this.driver.isOpen;
  }

  open(events: RedisLinkEvents): void {
    this.events = events;
    this.driver.on('error', (error: unknown) => {
      if (concernsSentinelOnly(error)) return;
      events.error(error);
      this.awaitRecovery(true);
    });
    // The client has opened connections to a new primary: ready once they answer.
    this.driver.on('topology-change', (event: { type?: unknown }) => {
      if (event.type === 'MASTER_CHANGE') this.awaitRecovery(false);
    });
    this.switches.open();
    void this.connect(events);
  }

  async destroy(): Promise<void> {
    this.closed = true;
    this.switches.close();
    if (this.driver.isOpen) await this.driver.destroy();
  }

  private switched(to: PrimaryAddress): void {
    const current = this.driver.getMasterNode();
    if (current?.host === to.host && current.port === to.port) return; // already there
    this.movingTo = to;
    this.events?.error(new Error(`Sentinel moved the primary to ${to.host}:${to.port}`));
  }

  /**
   * The Sentinel client gives up on its first connection after trying every Sentinel for a while
   * (later ones it retries for ever): start it again, so that an app started before its Sentinels
   * connects once they answer, as a standalone client would.
   */
  private async connect(events: RedisLinkEvents): Promise<void> {
    while (!this.closed) {
      try {
        await this.driver.connect();
        if (!this.closed) events.ready();
        return;
      } catch (error) {
        events.error(error);
        if (this.driver.isOpen) await this.driver.destroy();
        await delay(RETRY_FIRST_CONNECT_MS);
      }
    }
  }

  /**
   * node-redis reports no `ready` for the primary connections it replaces, so a PING tells when the
   * primary answers again: the Sentinel client holds it until it has connected to one. After an
   * error one PING at a time is enough (the next error sends another); after a topology change
   * one is always sent, since one already pending may have gone to the old primary.
   */
  private awaitRecovery(afterError: boolean): void {
    if ((afterError && this.recovery) || this.closed || !this.driver.isReady) return;
    const recovery = this.driver.ping().then(
      () => {
        if (this.recovery === recovery) this.recovery = null;
        if (this.isReady() && !this.closed) this.events?.ready();
      },
      () => {
        if (this.recovery === recovery) this.recovery = null;
      },
    );
    this.recovery = recovery;
  }
}
