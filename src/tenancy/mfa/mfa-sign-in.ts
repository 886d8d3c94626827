import { Injectable } from '@nestjs/common';
import { AppError } from '@app/http';
import { SecurityEvents } from '../security-events';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { hashSecret, newOrgScopedToken, parseOrgScopedToken } from '../auth/tokens';
import { MfaChallengeView } from './dto/mfa.views';
import { MfaRepository } from './mfa.repository';
import { SecondFactor, SecondFactorMethod, SecondFactorProof, SecondFactorResult, assertOneProof } from './second-factor';

/** Names its user (as API keys name their org), so it is looked up in that user's scope alone. */
const CHALLENGE_PREFIX = 'mfa_';
const CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes one challenge takes before it is spent: the password has to be given again. */
export const CHALLENGE_MAX_ATTEMPTS = 5;

const challengeInvalid = () =>
  new AppError(
    'unauthenticated',
    'MFA_CHALLENGE_INVALID',
    'The sign-in challenge is unknown, used, expired or out of attempts: sign in again.',
  );
const codeRefused = () => new AppError('unauthenticated', 'MFA_CODE_INVALID', 'The code is not valid, or was used already.');

export interface PassedChallenge {
  readonly userId: string;
  readonly orgId: string;
  readonly method: SecondFactorMethod;
}

type Redemption =
  | { readonly passed: PassedChallenge }
  | { readonly failed: SecondFactorResult | 'unknown'; readonly orgId?: string; readonly spent?: boolean };

/**
 * The second step of a password sign-in for a user with MFA: the password step gets a short-lived,
 * single-use challenge instead of a session, and the challenge plus a TOTP or recovery code get
 * the session. Challenges live in PostgreSQL by the SHA-256 of their token.
 */
@Injectable()
export class MfaSignIn {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly repository: MfaRepository,
    private readonly secondFactor: SecondFactor,
    private readonly events: SecurityEvents,
  ) {}

  async requiresSecondFactor(userId: string): Promise<boolean> {
    const factor = await this.tenantDb.asUser(userId, (em) => this.repository.factor(em, userId));
    return Boolean(factor?.confirmed_at);
  }

  async challenge(userId: string, orgId: string): Promise<MfaChallengeView> {
    const token = newOrgScopedToken(CHALLENGE_PREFIX, userId);
    const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
    await this.tenantDb.asUser(userId, (em) =>
      this.repository.createChallenge(em, { tokenHash: hashSecret(token), userId, orgId, expiresAt }),
    );
    await this.events.record({ type: 'mfa.challenge.issued', orgId, actor: { type: 'user', id: userId } });
    return { mfaRequired: true, challengeToken: token, expiresAt: expiresAt.toISOString() };
  }

  /** Spends the challenge on a good code; a wrong one counts against it. */
  async redeem(token: string, proof: SecondFactorProof): Promise<PassedChallenge> {
    assertOneProof(proof);
    const userId = parseOrgScopedToken(CHALLENGE_PREFIX, token)?.orgId;
    if (!userId) throw challengeInvalid();
    const tokenHash = hashSecret(token);
    const redemption = await this.tenantDb.asUser(userId, async (em): Promise<Redemption> => {
      const challenge = await this.repository.lockChallenge(em, tokenHash);
      if (!challenge || challenge.attempts >= CHALLENGE_MAX_ATTEMPTS) return { failed: 'unknown' };
      const result = await this.secondFactor.check(em, userId, proof);
      if (result.ok) {
        await this.repository.deleteChallenge(em, tokenHash);
        return { passed: { userId, orgId: challenge.org_id, method: result.method } };
      }
      const attempts = await this.repository.countFailedAttempt(em, tokenHash);
      if (attempts >= CHALLENGE_MAX_ATTEMPTS) await this.repository.deleteChallenge(em, tokenHash);
      return { failed: result, orgId: challenge.org_id, spent: attempts >= CHALLENGE_MAX_ATTEMPTS };
    });
    if ('passed' in redemption) return redemption.passed;
    const reason = redemption.failed === 'unknown' ? 'unknown_challenge' : redemption.failed.ok ? 'unknown' : redemption.failed.reason;
    await this.events.record({
      type: 'mfa.challenge.failed',
      orgId: redemption.orgId,
      actor: { type: 'user', id: userId },
      details: { reason, spent: redemption.spent ?? false },
    });
    throw redemption.failed === 'unknown' ? challengeInvalid() : codeRefused();
  }
}
