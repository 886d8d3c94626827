import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AppError, ValidationError } from '@app/http';
import { SecretBox } from '../secrets/secret-box';
import { MfaRepository, TotpFactorRow } from './mfa.repository';
import { recoveryCodeHash } from './recovery-codes';
import { matchingTimeStep } from './totp';

/** What the caller offers as a second factor: exactly one of a TOTP code or a recovery code. */
export interface SecondFactorProof {
  readonly code?: string;
  readonly recoveryCode?: string;
}

export type SecondFactorMethod = 'totp' | 'recovery_code';

export type SecondFactorFailure = 'wrong_code' | 'replayed_code' | 'wrong_recovery_code' | 'not_enabled';

export type SecondFactorResult =
  { readonly ok: true; readonly method: SecondFactorMethod } | { readonly ok: false; readonly reason: SecondFactorFailure };

/** The associated data a user's sealed seed is bound to: a seed copied to another user's row does not open. */
export const seedContext = (userId: string) => `totp:${userId}`;

/**
 * The sealed seed does not open under the server's SECRETS_ENCRYPTION_KEY (the key was changed, and
 * there is no earlier key to try): no code can be checked, whoever sends it. Not a 500: the user can
 * still prove themselves with a recovery code, which is checked against a hash, not the seed.
 */
export const factorUnreadable = () =>
  new AppError(
    'conflict',
    'MFA_FACTOR_UNREADABLE',
    'This server cannot check codes of your authenticator any more (its encryption key changed). ' +
      'Use a recovery code instead, then turn MFA off and enrol your authenticator again; ' +
      'if you were enrolling, start the enrolment again. Without a recovery code, ask the operator of this server.',
  );

/** Refuses a proof with neither or both of `code` and `recoveryCode`. */
export function assertOneProof(proof: SecondFactorProof): void {
  if ((proof.code === undefined) === (proof.recoveryCode === undefined)) {
    throw new ValidationError([{ field: 'code', message: 'give either code or recoveryCode (exactly one)' }]);
  }
}

/**
 * Checks a second factor inside the caller's transaction in the user's scope. A TOTP code counts
 * once: its time step is recorded under the factor's row lock, so the same code (or an older one)
 * is refused afterwards, on any instance. A recovery code is spent by the check.
 */
@Injectable()
export class SecondFactor {
  private readonly logger = new Logger(SecondFactor.name);
  /** The operator needs to hear of an unreadable seed (a changed key: every seed is) once per process, not once per attempt. */
  private unreadableLogged = false;

  constructor(
    private readonly repository: MfaRepository,
    private readonly box: SecretBox,
  ) {}

  /** Against the user's confirmed factor. */
  async check(em: EntityManager, userId: string, proof: SecondFactorProof): Promise<SecondFactorResult> {
    const factor = await this.repository.factor(em, userId, { lock: true });
    if (!factor?.confirmed_at) return { ok: false, reason: 'not_enabled' };
    if (proof.recoveryCode !== undefined) {
      return (await this.repository.useRecoveryCode(em, userId, recoveryCodeHash(proof.recoveryCode)))
        ? { ok: true, method: 'recovery_code' }
        : { ok: false, reason: 'wrong_recovery_code' };
    }
    return this.checkCode(em, userId, factor, proof.code ?? '');
  }

  /** A TOTP code against `factor` (locked by the caller), confirmed or not. */
  async checkCode(em: EntityManager, userId: string, factor: TotpFactorRow, code: string): Promise<SecondFactorResult> {
    const step = matchingTimeStep(this.seedOf(userId, factor), code, Date.now());
    if (step === null) return { ok: false, reason: 'wrong_code' };
    if (!(await this.repository.useTimeStep(em, userId, step))) return { ok: false, reason: 'replayed_code' };
    return { ok: true, method: 'totp' };
  }

  private seedOf(userId: string, factor: TotpFactorRow): string {
    try {
      return this.box.open(factor.secret_sealed, seedContext(userId));
    } catch (error) {
      if (!this.unreadableLogged) {
        this.unreadableLogged = true;
        this.logger.error(
          { err: error },
          'a TOTP seed does not open with SECRETS_ENCRYPTION_KEY (was the key changed?): its user can sign in only with a recovery code',
        );
      }
      throw factorUnreadable();
    }
  }
}
