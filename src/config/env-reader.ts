import { createPrivateKey } from 'node:crypto';
import { CronTime } from 'cron';
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads typed values out of an environment, collecting every problem so that one boot
 * reports them all. Messages name the key and what it must be, never the value given:
 * a mistyped secret must not end up in a log.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(key: string, fallback: string): string {
    const raw = this.raw(key);
    return raw ?? fallback;
  }

  int(key: string, rule: { min: number; max: number; default: number }): number {
    const raw = this.raw(key);
    if (raw === undefined) return rule.default;
    if (!/^-?\d+$/.test(raw)) return this.fail(key, `must be an integer from ${rule.min} to ${rule.max}`, rule.default);
    const value = Number(raw);
    if (value < rule.min || value > rule.max) {
      return this.fail(key, `must be an integer from ${rule.min} to ${rule.max}`, rule.default);
    }
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const raw = this.raw(key)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    return this.fail(key, 'must be true or false', fallback);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    return this.fail(key, `must be one of ${allowed.join(', ')}`, fallback);
  }

  url(key: string, protocols: readonly string[]): string | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (protocols.includes(parsed.protocol) && parsed.hostname) return raw;
    } catch {
      // reported below
    }
    return this.fail(key, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`, undefined);
  }

  /** A number from 0 to 1. */
  ratio(key: string, fallback: number): number {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d*\.?\d+$/.test(raw) || value > 1) return this.fail(key, 'must be a number from 0 to 1', fallback);
    return value;
  }

  /** A secret of at least `minLength` characters; too short is refused rather than silently weak. */
  secret(key: string, minLength: number): string | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    if (raw.length < minLength) return this.fail(key, `must be at least ${minLength} characters`, undefined);
    return raw;
  }

  /** A comma-separated list of `host:port` addresses (a Redis Sentinel's peers, say); at least one. */
  hostPorts(key: string): { host: string; port: number }[] | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    const nodes: { host: string; port: number }[] = [];
    for (const entry of raw.split(',')) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(entry.trim());
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535)
        return this.fail(key, 'must be a comma-separated list of host:port (port 1 to 65535)', undefined);
      nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
    }
    return nodes;
  }

  /** A cron expression (five fields, or six with seconds), as @nestjs/schedule reads it. */
  cron(key: string, fallback: string): string {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    try {
      new CronTime(raw);
      return raw;
    } catch {
      return this.fail(key, 'must be a cron expression such as "0 30 2 * * *"', fallback);
    }
  }

  /** A PKCS#8 PEM Ed25519 private key; `\n` escapes are accepted for one-line environments. */
  ed25519PrivateKey(key: string): string | undefined {
    const raw = this.raw(key)?.replace(/\\n/g, '\n');
    if (raw === undefined) return undefined;
    try {
      if (createPrivateKey(raw).asymmetricKeyType === 'ed25519') return raw;
    } catch {
      // reported below
    }
    return this.fail(key, 'must be a PKCS#8 PEM Ed25519 private key', undefined);
  }

  /** A 256-bit key, given as 64 hex characters or as base64 of 32 bytes; returned as base64. */
  aes256Key(key: string): string | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    const bytes = /^[0-9a-fA-F]{64}$/.test(raw)
      ? Buffer.from(raw, 'hex')
      : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw)
        ? Buffer.from(raw, 'base64')
        : undefined;
    if (bytes?.length !== 32) return this.fail(key, 'must be 32 bytes, as 64 hex characters or base64', undefined);
    return bytes.toString('base64');
  }

  assertValid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  /** Unset and empty are the same: compose files and CI often pass `KEY=`. */
  private raw(key: string): string | undefined {
    const value = this.env[key]?.trim();
    return value ? value : undefined;
  }

  private fail<T>(key: string, requirement: string, fallback: T): T {
    this.problems.push(`${key} ${requirement}`);
    return fallback;
  }
}
