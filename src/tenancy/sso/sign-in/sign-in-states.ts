import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SHARED_STORE, SharedStore } from '../../../caching';
import { APP_CONFIG, ResolvedConfig } from '../../../config';

/** What the callback must know about the sign-in it completes; kept server-side, never in the browser. */
export interface SignInState {
  readonly orgId: string;
  readonly connectionId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** SHA-256 (hex) of the browser-binding cookie the start set (browser-binding.ts); the callback needs that cookie. */
  readonly browser?: string;
}

/** What the SAML assertion consumer must know: the AuthnRequest's ID, which the response must answer (`InResponseTo`). */
export interface SamlSignInState {
  readonly protocol: 'saml';
  readonly orgId: string;
  readonly connectionId: string;
  readonly idpEntityId: string;
  readonly requestId: string;
  /** SHA-256 (hex) of the browser-binding cookie the start set (browser-binding.ts, SAML_BROWSER_BINDING). */
  readonly browser?: string;
}

const stateKey = (hash: string) => `sso-state:${hash}`;
const usedKey = (hash: string) => `sso-state-used:${hash}`;
const digest = (state: string) => createHash('sha256').update(state).digest('hex');

const storeUnavailable = (cause: unknown) =>
  new AppError('unavailable', 'SESSIONS_UNAVAILABLE', 'Signing in is unavailable for a moment; retry shortly.', {
    headers: { 'retry-after': '5' },
    cause,
  });

/**
 * Started sign-ins, in the shared store (Redis) under the SHA-256 of their `state`, for a short
 * time (SSO_STATE_TTL_SECONDS) and for one use: the first callback that names a state claims it
 * with an atomic increment, so a replayed or concurrent second callback finds it taken.
 */
@Injectable()
export class SignInStates {
  constructor(
    @Inject(SHARED_STORE) private readonly store: SharedStore,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Keeps `record` and returns the `state` value that names it (256 random bits). */
  async save(record: SignInState | SamlSignInState): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    try {
      await this.store.set(stateKey(digest(state)), JSON.stringify(record), this.config.sso.stateTtlMs);
    } catch (cause) {
      throw storeUnavailable(cause);
    }
    return state;
  }

  /**
   * The OpenID Connect record of `state` without claiming it: for a check that must not spend the
   * sign-in (a callback from another browser). Null when unknown, expired, taken, or not OIDC.
   */
  async peek(state: string): Promise<SignInState | null> {
    try {
      const raw = await this.store.get(stateKey(digest(state)));
      const record = raw ? (JSON.parse(raw) as SignInState | SamlSignInState) : null;
      return record && !('protocol' in record) ? record : null;
    } catch (cause) {
      throw storeUnavailable(cause);
    }
  }

  /** The record of `state`, once: null when unknown, expired or already taken. */
  async take(state: string): Promise<SignInState | null> {
    const record = await this.claim(state);
    return record && !('protocol' in record) ? record : null;
  }

  /** The SAML sign-in `state` (the RelayState) names, once: null when unknown, expired, taken, or not a SAML one. */
  async takeSaml(state: string): Promise<SamlSignInState | null> {
    const record = await this.claim(state);
    return record && 'protocol' in record && record.protocol === 'saml' ? record : null;
  }

  private async claim(state: string): Promise<SignInState | SamlSignInState | null> {
    const hash = digest(state);
    try {
      const claims = await this.store.increment(usedKey(hash));
      await this.store.expire(usedKey(hash), this.config.sso.stateTtlMs);
      if (claims !== 1) return null;
      const raw = await this.store.get(stateKey(hash));
      if (!raw) return null;
      await this.store.delete(stateKey(hash));
      return JSON.parse(raw) as SignInState | SamlSignInState;
    } catch (cause) {
      throw storeUnavailable(cause);
    }
  }
}
