import { Injectable } from '@nestjs/common';
import { AppError, ConflictError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { SecretBox } from '../secrets/secret-box';
import { SecurityEvents } from '../security-events';
import { SessionStore } from '../sessions/session-store';
import { TenantDatabase } from '../tenant-boundary/tenant-database';
import { MfaStatusView, RecoveryCodesView, TotpEnrolmentView } from './dto/mfa.views';
import { MfaRepository } from './mfa.repository';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { SecondFactor, SecondFactorProof, SecondFactorResult, assertOneProof, seedContext } from './second-factor';
import { newTotpSecret, totpUri } from './totp';

const ISSUER = 'Atrium';

/** A wrong or replayed code on a signed-in route: a field error, like a wrong current password. */
export const codeInvalid = (field: 'code' | 'recoveryCode') =>
  new AppError('validation', 'MFA_CODE_INVALID', 'The code is not valid, or was used already: wait for the next one.', {
    errors: [{ field, message: 'is not valid' }],
  });

const notEnabled = () => new ConflictError('MFA_NOT_ENABLED', 'Multi-factor authentication is not turned on for your account.');

/**
 * A user's own MFA: enrolling a TOTP authenticator (the secret shown once, recovery codes shown
 * once on confirmation), proving a second factor for the current session, and turning MFA off.
 * MFA belongs to the user, so it applies in every organization they sign in to.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly context: RequestContext,
    private readonly sessions: SessionStore,
    private readonly events: SecurityEvents,
    private readonly repository: MfaRepository,
    private readonly secondFactor: SecondFactor,
    private readonly box: SecretBox,
  ) {}

  async status(): Promise<MfaStatusView> {
    const { userId, sessionId } = this.sessionPrincipal();
    const orgId = this.context.requireOrgId();
    const { factor, remaining } = await this.tenantDb.asUser(userId, async (em) => {
      const found = await this.repository.factor(em, userId);
      return { factor: found, remaining: found?.confirmed_at ? await this.repository.unusedRecoveryCodes(em, userId) : 0 };
    });
    const organization = await this.tenantDb.transaction((em) => em.findOneOrFail(Organization, { id: orgId }));
    return {
      enabled: Boolean(factor?.confirmed_at),
      enrolmentPending: Boolean(factor && !factor.confirmed_at),
      enabledAt: factor?.confirmed_at ? new Date(factor.confirmed_at).toISOString() : null,
      recoveryCodesRemaining: remaining,
      sessionVerified: (await this.sessions.assuranceOf(userId, sessionId)).mfa,
      organizationRequiresMfa: organization.settings.mfaRequired === true,
    };
  }

  /** A new secret for the caller's authenticator app, shown in this response only; MFA is on once a code confirms it. */
  async startTotpEnrolment(): Promise<TotpEnrolmentView> {
    const { userId } = this.sessionPrincipal();
    const user = await this.tenantDb.global((em) => em.findOneOrFail(User, { id: userId }));
    const secret = newTotpSecret();
    const started = await this.tenantDb.asUser(userId, (em) =>
      this.repository.startFactor(em, userId, this.box.seal(secret, seedContext(userId))),
    );
    if (!started)
      throw new ConflictError(
        'MFA_ALREADY_ENABLED',
        'Multi-factor authentication is on already; turn it off first to enrol another authenticator.',
      );
    await this.events.record({ type: 'mfa.enrolment.started', target: { type: 'user', id: userId } });
    return { secret, otpauthUri: totpUri(secret, ISSUER, user.email), issuer: ISSUER, account: user.email };
  }

  /**
   * The first code from the authenticator turns MFA on, returns the recovery codes (this once) and
   * marks the current session as having passed MFA.
   */
  async confirmTotpEnrolment(code: string): Promise<RecoveryCodesView> {
    const { userId, sessionId } = this.sessionPrincipal();
    const codes = newRecoveryCodes();
    const outcome = await this.tenantDb.asUser(userId, async (em): Promise<SecondFactorResult | 'not_started'> => {
      const factor = await this.repository.factor(em, userId, { lock: true });
      if (!factor) return 'not_started';
      if (factor.confirmed_at) throw new ConflictError('MFA_ALREADY_ENABLED', 'Multi-factor authentication is on already.');
      const result = await this.secondFactor.checkCode(em, userId, factor, code);
      if (result.ok) {
        await this.repository.confirmFactor(em, userId);
        await this.repository.replaceRecoveryCodes(em, userId, codes.map(recoveryCodeHash));
      }
      return result;
    });
    if (outcome === 'not_started') {
      throw new ConflictError('MFA_ENROLMENT_NOT_STARTED', 'Start an enrolment first (POST /v1/me/mfa/totp).');
    }
    if (!outcome.ok) {
      await this.events.record({
        type: 'mfa.verification.failed',
        target: { type: 'user', id: userId },
        details: { reason: outcome.reason, step: 'enrolment' },
      });
      throw codeInvalid('code');
    }
    await this.sessions.setMfa(userId, true, sessionId);
    await this.events.record({ type: 'mfa.enabled', target: { type: 'user', id: userId }, details: { method: 'totp' } });
    return { recoveryCodes: codes };
  }

  /** Proves a second factor for the current session (a session from before enrolment, or an SSO one), which then satisfies an org's MFA policy. */
  async verifySession(proof: SecondFactorProof): Promise<void> {
    const { userId, sessionId } = this.sessionPrincipal();
    const result = await this.check(userId, proof, 'session');
    await this.sessions.setMfa(userId, true, sessionId);
    await this.events.record({ type: 'mfa.session.verified', target: { type: 'user', id: userId }, details: { method: result } });
  }

  /** Ten new recovery codes (needs a current code or a recovery code); the old ones stop working. Shown once. */
  async regenerateRecoveryCodes(proof: SecondFactorProof): Promise<RecoveryCodesView> {
    const { userId } = this.sessionPrincipal();
    assertOneProof(proof);
    const codes = newRecoveryCodes();
    const outcome = await this.tenantDb.asUser(userId, async (em) => {
      const result = await this.secondFactor.check(em, userId, proof);
      if (result.ok) await this.repository.replaceRecoveryCodes(em, userId, codes.map(recoveryCodeHash));
      return result;
    });
    await this.failIfNot(userId, outcome, proof, 'recovery-codes');
    await this.events.record({ type: 'mfa.recovery-codes.regenerated', target: { type: 'user', id: userId } });
    return { recoveryCodes: codes };
  }

  /** Turns MFA off (needs a current code or a recovery code). None of the user's sessions counts as MFA-verified afterwards. */
  async disable(proof: SecondFactorProof): Promise<void> {
    const { userId } = this.sessionPrincipal();
    assertOneProof(proof);
    const outcome = await this.tenantDb.asUser(userId, async (em) => {
      const result = await this.secondFactor.check(em, userId, proof);
      if (result.ok) await this.repository.deleteFactor(em, userId);
      return result;
    });
    await this.failIfNot(userId, outcome, proof, 'disable');
    await this.sessions.setMfa(userId, false);
    await this.events.record({
      type: 'mfa.disabled',
      target: { type: 'user', id: userId },
      details: { method: outcome.ok ? outcome.method : null },
    });
  }

  /**
   * Turning the org's MFA policy on from a session needs that session to have passed MFA, or its
   * user would be held back by the policy they just set. An API key is not subject to the policy.
   */
  async assertCallerMayRequireMfa(): Promise<void> {
    const principal = this.context.requireTenant().principal;
    if (principal.type !== 'user' || !principal.sessionId) return;
    if (!(await this.sessions.assuranceOf(principal.id, principal.sessionId)).mfa) {
      throw new ConflictError(
        'MFA_SESSION_NOT_VERIFIED',
        'Turn on MFA for your own account (and use a session that passed it) before requiring MFA of every member.',
      );
    }
  }

  private async check(userId: string, proof: SecondFactorProof, step: string): Promise<string> {
    assertOneProof(proof);
    const outcome = await this.tenantDb.asUser(userId, (em) => this.secondFactor.check(em, userId, proof));
    await this.failIfNot(userId, outcome, proof, step);
    return outcome.ok ? outcome.method : '';
  }

  private async failIfNot(userId: string, outcome: SecondFactorResult, proof: SecondFactorProof, step: string): Promise<void> {
    if (outcome.ok) return;
    if (outcome.reason === 'not_enabled') throw notEnabled();
    await this.events.record({
      type: 'mfa.verification.failed',
      target: { type: 'user', id: userId },
      details: { reason: outcome.reason, step },
    });
    throw codeInvalid(proof.recoveryCode !== undefined ? 'recoveryCode' : 'code');
  }

  /** MFA routes are session-only: the guard refused API keys. */
  private sessionPrincipal(): { userId: string; sessionId: string } {
    const principal = this.context.requireTenant().principal;
    return { userId: principal.id, sessionId: principal.sessionId as string };
  }
}
