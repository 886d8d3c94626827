import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SHARED_STORE, SharedStore } from '../../caching';
import { APP_CONFIG, ResolvedConfig } from '../../config';
import { hashSecret, newSessionToken } from '../auth/tokens';

/** How the session's user proved who they are. */
export type AuthMethod = 'password' | 'signup' | 'sso' | 'invitation';

/**
 * What a sign-in established. `mfa` is true only when a second factor was checked for this
 * session (a TOTP or recovery code here, or one the identity provider asserted for SSO): it is
 * what an organization's "MFA required" policy looks at.
 */
export interface SessionAssurance {
  readonly authMethod: AuthMethod;
  readonly mfa: boolean;
}

const PASSWORD_ONLY: SessionAssurance = { authMethod: 'password', mfa: false };

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
  /** Absent on sessions issued before MFA existed: they count as password sign-ins without MFA. */
  readonly authMethod?: AuthMethod;
  readonly mfa?: boolean;
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

  /** Every sign-in (password, TOTP step-up, SSO, invitation) ends here: `assurance` says how it was made. */
  async issue(
    userId: string,
    orgId: string,
    client: { ip?: string; userAgent?: string } = {},
    assurance: SessionAssurance = PASSWORD_ONLY,
  ): Promise<IssuedSession> {
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
      authMethod: assurance.authMethod,
      mfa: assurance.mfa,
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

  /**
   * Marks the user's live sessions (or only `sessionId`) as having passed, or no longer passing, a
   * second factor: after enrolling in MFA or proving a code, or after turning MFA off.
   */
  async setMfa(userId: string, mfa: boolean, sessionId?: string): Promise<void> {
    await shared(async () => {
      const now = Date.now();
      for (const { session, tokenHash } of await this.sessionsOf(userId)) {
        if (sessionId !== undefined && session.id !== sessionId) continue;
        const updated: Session = { ...session, mfa };
        await this.store.set(sessionKey(tokenHash), JSON.stringify(updated), this.ttl(updated, now));
        // Revoked meanwhile (its hash left the index): the write above must not bring it back.
        if (!(await this.store.setMembers(userIndexKey(userId))).includes(tokenHash)) await this.store.delete(sessionKey(tokenHash));
      }
    });
  }

  /** How the user's session `sessionId` was made; a session that is gone proves nothing. */
  async assuranceOf(userId: string, sessionId: string): Promise<SessionAssurance> {
    const sessions = await shared(() => this.sessionsOf(userId));
    const session = sessions.find((found) => found.session.id === sessionId)?.session;
    return { authMethod: session?.authMethod ?? PASSWORD_ONLY.authMethod, mfa: session?.mfa === true };
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
