import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SHARED_STORE, SharedStore } from '../../caching';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { hashSecret, newSessionToken } from '../auth/tokens';

export interface Session {
  /** Public id, for listing and revoking; never the token. */
  readonly id: string;
  readonly userId: string;
  readonly orgId: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

export interface IssuedSession {
  readonly token: string;
  readonly session: Session;
}

const sessionsUnavailable = (cause: unknown) =>
  new AppError('unavailable', 'SESSIONS_UNAVAILABLE', 'Sessions are unavailable for a moment; retry shortly or use an API key.', {
    headers: { 'retry-after': '5' },
    cause,
  });

/** Store failures (Redis away) become a 503 the client can retry, never a 500. */
async function shared<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (cause) {
    throw sessionsUnavailable(cause);
  }
}

/** lastSeenAt (and the idle expiry with it) is written at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000;

const sessionKey = (tokenHash: string) => `session:${tokenHash}`;
const userIndexKey = (userId: string) => `user-sessions:${userId}`;

/**
 * Sessions live in the shared store (Redis; in-process in embedded mode) under the SHA-256 of
 * their token, with an idle expiry (the key's TTL, extended on use) and an absolute one (in the
 * record). Each user has an index of their sessions' hashes, for listing and mass revocation.
 */
@Injectable()
export class SessionStore {
  constructor(
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async issue(userId: string, orgId: string, client: { ip?: string; userAgent?: string } = {}): Promise<IssuedSession> {
    const token = newSessionToken();
    const now = Date.now();
    const session: Session = {
      id: randomUUID(),
      userId,
      orgId,
      createdAt: new Date(now).toISOString(),
      lastSeenAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.auth.sessionAbsoluteMs).toISOString(),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 200),
    };
    const tokenHash = hashSecret(token);
    try {
      await this.store.set(sessionKey(tokenHash), JSON.stringify(session), this.ttl(session, now));
      await this.store.addToSet(userIndexKey(userId), tokenHash, this.config.auth.sessionAbsoluteMs);
    } catch (cause) {
      // Sessions live in Redis so that every instance sees them; none can be started while it is away.
      throw new AppError(
        'unavailable',
        'SESSIONS_UNAVAILABLE',
        'Signing in is unavailable for a moment; retry shortly or use an API key.',
        {
          headers: { 'retry-after': '5' },
          cause,
        },
      );
    }
    return { token, session };
  }

  /** The live session for a token, or null when unknown, revoked, idle too long or past its absolute expiry. */
  async resolve(token: string): Promise<(Session & { tokenHash: string }) | null> {
    return shared(() => this.lookup(token));
  }

  private async lookup(token: string): Promise<(Session & { tokenHash: string }) | null> {
    const tokenHash = hashSecret(token);
    const raw = await this.store.get(sessionKey(tokenHash));
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    const now = Date.now();
    if (Date.parse(session.expiresAt) <= now) {
      await this.store.delete(sessionKey(tokenHash));
      return null;
    }
    if (now - Date.parse(session.lastSeenAt) >= TOUCH_INTERVAL_MS) {
      const touched = { ...session, lastSeenAt: new Date(now).toISOString() };
      await this.store.set(sessionKey(tokenHash), JSON.stringify(touched), this.ttl(touched, now));
      return { ...touched, tokenHash };
    }
    return { ...session, tokenHash };
  }

  async listForUser(userId: string): Promise<Session[]> {
    const sessions = await shared(() => this.sessionsOf(userId));
    return sessions.map(({ session }) => session).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Revokes one of the user's sessions by its public id; false when the user has no such session. */
  async revokeById(userId: string, sessionId: string): Promise<boolean> {
    return shared(async () => {
      const match = (await this.sessionsOf(userId)).find(({ session }) => session.id === sessionId);
      if (!match) return false;
      await this.revokeHash(userId, match.tokenHash);
      return true;
    });
  }

  async revokeToken(userId: string, tokenHash: string): Promise<void> {
    await shared(() => this.revokeHash(userId, tokenHash));
  }

  /** Every session of the user, or only those bound to one org, optionally sparing one (the caller's own). */
  async revokeAll(userId: string, scope: { orgId?: string; exceptSessionId?: string } = {}): Promise<number> {
    return shared(async () => {
      const targets = (await this.sessionsOf(userId)).filter(
        ({ session }) => (!scope.orgId || session.orgId === scope.orgId) && session.id !== scope.exceptSessionId,
      );
      for (const { tokenHash } of targets) await this.revokeHash(userId, tokenHash);
      return targets.length;
    });
  }

  private async revokeHash(userId: string, tokenHash: string): Promise<void> {
    await this.store.delete(sessionKey(tokenHash));
    await this.store.removeFromSet(userIndexKey(userId), tokenHash);
  }

  private async sessionsOf(userId: string): Promise<{ session: Session; tokenHash: string }[]> {
    const hashes = await this.store.setMembers(userIndexKey(userId));
    const found: { session: Session; tokenHash: string }[] = [];
    const now = Date.now();
    for (const tokenHash of hashes) {
      const raw = await this.store.get(sessionKey(tokenHash));
      const session = raw ? (JSON.parse(raw) as Session) : null;
      if (session && Date.parse(session.expiresAt) > now) found.push({ session, tokenHash });
      else await this.store.removeFromSet(userIndexKey(userId), tokenHash);
    }
    return found;
  }

  private ttl(session: Session, now: number): number {
    return Math.max(1, Math.min(this.config.auth.sessionIdleMs, Date.parse(session.expiresAt) - now));
  }
}
