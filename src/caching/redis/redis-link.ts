import type { RedisClientType, RedisSentinelType } from '@redis/client';

/** The driver object @keyv/redis and the command methods run on: a plain client, or a Sentinel client. */
export type RedisDriver = RedisClientType | RedisSentinelType;

/** What the connection reports to its owner (RedisClient), which re-emits it as `error` / `ready`. */
export interface RedisLinkEvents {
  error(error: unknown): void;
  ready(): void;
}

/**
 * One way of reaching the primary: a standalone server at REDIS_URL (standalone-link.ts) or the
 * primary Redis Sentinel names (sentinel-link.ts). RedisClient turns either into the one
 * connection the rest of the app uses.
 */
export interface RedisLink {
  readonly driver: RedisDriver;
  /** Connected to the current primary, so a command can be sent now (not queued behind a reconnect). */
  isReady(): boolean;
  /** Opened and not yet destroyed (it may be reconnecting). */
  isOpen(): boolean;
  /** Starts connecting in the background; the link reconnects by itself after any failure. */
  open(events: RedisLinkEvents): void;
  destroy(): Promise<void>;
}

/** The socket settings both links share: a connection attempt fails after this long instead of hanging. */
export const CONNECT_TIMEOUT_MS = 2_000;
/** How often an idle connection PINGs, so that one gone silent is noticed. */
export const PING_INTERVAL_MS = 5_000;
