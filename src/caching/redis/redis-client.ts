import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { RedisSentinelType } from '@redis/client';
import type { AppConfig } from '../../config';
import { RedisDriver, RedisLink } from './redis-link';
import { SentinelLink } from './sentinel-link';
import { StandaloneLink } from './standalone-link';

/** The commands Atrium sends: a plain client and a Sentinel client take them alike. */
type RedisCommands = Pick<
  RedisSentinelType,
  'get' | 'set' | 'del' | 'pExpire' | 'sRem' | 'sMembers' | 'incr' | 'eval' | 'evalSha' | 'unlink' | 'scan' | 'ping' | 'multi'
>;

/**
 * The process's one Redis connection: to a standalone server, or through Sentinel to whichever
 * server is the primary now. It emits `error` (something on the way to the primary failed) and
 * `ready` (the primary answers again), and `isReady` says whether a command can be sent now.
 */
export class RedisClient extends EventEmitter {
  readonly get: RedisCommands['get'];
  readonly set: RedisCommands['set'];
  readonly del: RedisCommands['del'];
  readonly pExpire: RedisCommands['pExpire'];
  readonly sRem: RedisCommands['sRem'];
  readonly sMembers: RedisCommands['sMembers'];
  readonly incr: RedisCommands['incr'];
  readonly eval: RedisCommands['eval'];
  readonly evalSha: RedisCommands['evalSha'];
  readonly unlink: RedisCommands['unlink'];
  readonly scan: RedisCommands['scan'];
  readonly ping: RedisCommands['ping'];
  readonly multi: RedisCommands['multi'];

  constructor(private readonly link: RedisLink) {
    super();
    // The two drivers' command methods have the same signatures; their MULTI builders differ only in type.
    const commands = link.driver as RedisCommands;
    this.get = commands.get.bind(commands);
    this.set = commands.set.bind(commands);
    this.del = commands.del.bind(commands);
    this.pExpire = commands.pExpire.bind(commands);
    this.sRem = commands.sRem.bind(commands);
    this.sMembers = commands.sMembers.bind(commands);
    this.incr = commands.incr.bind(commands);
    this.eval = commands.eval.bind(commands);
    this.evalSha = commands.evalSha.bind(commands);
    this.unlink = commands.unlink.bind(commands);
    this.scan = commands.scan.bind(commands);
    this.ping = commands.ping.bind(commands);
    this.multi = commands.multi.bind(commands);
  }

  /** For @keyv/redis, which takes either kind of driver. */
  get driver(): RedisDriver {
    return this.link.driver;
  }

  get isReady(): boolean {
    return this.link.isReady();
  }

  get isOpen(): boolean {
    return this.link.isOpen();
  }

  /** Connects in the background and reconnects by itself, following the primary when it moves. */
  open(): this {
    this.link.open({ error: (error) => this.emit('error', error), ready: () => this.emit('ready') });
    return this;
  }

  destroy(): Promise<void> {
    return this.link.destroy();
  }
}

/**
 * The connection the configuration asks for (none in embedded mode). An outage is logged once, and
 * so is the recovery.
 */
export function connectRedis(config: AppConfig['redis']): RedisClient | null {
  const link = config.sentinel ? new SentinelLink(config.sentinel, config.url) : config.url ? new StandaloneLink(config.url) : null;
  if (!link) return null;
  const logger = new Logger('Redis');
  const client = new RedisClient(link);
  let reportedDown = false;
  client.on('error', (error: unknown) => {
    if (!reportedDown) logger.warn(`Redis unavailable: ${error instanceof Error ? error.message : String(error)}`);
    reportedDown = true;
  });
  client.on('ready', () => {
    if (reportedDown) logger.log('Redis connection restored');
    reportedDown = false;
  });
  return client.open();
}
