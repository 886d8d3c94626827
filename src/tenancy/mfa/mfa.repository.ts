import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A user's TOTP factor; timestamps arrive as text and bigints as strings (MikroORM leaves pg's parsing off). */
export interface TotpFactorRow {
  readonly secret_sealed: string;
  readonly confirmed_at: string | null;
  readonly last_used_step: string | null;
}

export interface ChallengeRow {
  readonly user_id: string;
  readonly org_id: string;
  readonly attempts: number;
}

/**
 * Every statement of MFA. Factors, recovery codes and challenges are rows of one user: each call
 * runs in the caller's transaction in that user's scope (TenantDatabase.asUser), where row-level
 * security shows that user's rows alone.
 */
@Injectable()
export class MfaRepository {
  async factor(em: EntityManager, userId: string, options: { lock?: boolean } = {}): Promise<TotpFactorRow | undefined> {
    const [row] = await em.execute<TotpFactorRow[]>(
      `select secret_sealed, confirmed_at, last_used_step from mfa_totp_factors where user_id = ?${options.lock ? ' for update' : ''}`,
      [userId],
    );
    return row;
  }

  /** A new, unconfirmed factor (replacing an unconfirmed one); false when a confirmed factor is in the way. */
  async startFactor(em: EntityManager, userId: string, secretSealed: string): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      `insert into mfa_totp_factors (user_id, secret_sealed) values (?, ?)
       on conflict (user_id) do update set secret_sealed = excluded.secret_sealed, last_used_step = null, created_at = now()
       where mfa_totp_factors.confirmed_at is null
       returning user_id`,
      [userId, secretSealed],
    );
    return rows.length === 1;
  }

  /** Records `step` as used; false when it (or a later one) was used already: the code is a replay. */
  async useTimeStep(em: EntityManager, userId: string, step: number): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      `update mfa_totp_factors set last_used_step = ?
       where user_id = ? and (last_used_step is null or last_used_step < ?) returning user_id`,
      [step, userId, step],
    );
    return rows.length === 1;
  }

  async confirmFactor(em: EntityManager, userId: string): Promise<void> {
    await em.execute('update mfa_totp_factors set confirmed_at = now() where user_id = ? and confirmed_at is null', [userId]);
  }

  async deleteFactor(em: EntityManager, userId: string): Promise<void> {
    await em.execute('delete from mfa_recovery_codes where user_id = ?', [userId]);
    await em.execute('delete from mfa_totp_factors where user_id = ?', [userId]);
  }

  async replaceRecoveryCodes(em: EntityManager, userId: string, hashes: readonly string[]): Promise<void> {
    await em.execute('delete from mfa_recovery_codes where user_id = ?', [userId]);
    await em.execute(
      `insert into mfa_recovery_codes (user_id, code_hash) values ${hashes.map(() => '(?, ?)').join(', ')}`,
      hashes.flatMap((hash) => [userId, hash]),
    );
  }

  /** Spends the code: true the first time, false when unknown or spent already. */
  async useRecoveryCode(em: EntityManager, userId: string, codeHash: string): Promise<boolean> {
    const rows = await em.execute<unknown[]>(
      'update mfa_recovery_codes set used_at = now() where user_id = ? and code_hash = ? and used_at is null returning user_id',
      [userId, codeHash],
    );
    return rows.length === 1;
  }

  async unusedRecoveryCodes(em: EntityManager, userId: string): Promise<number> {
    const [row] = await em.execute<{ count: string }[]>(
      'select count(*) as count from mfa_recovery_codes where user_id = ? and used_at is null',
      [userId],
    );
    return Number(row.count);
  }

  /** A new sign-in challenge; the user's expired ones are cleared on the way. */
  async createChallenge(
    em: EntityManager,
    challenge: { tokenHash: string; userId: string; orgId: string; expiresAt: Date },
  ): Promise<void> {
    await em.execute('delete from mfa_challenges where user_id = ? and expires_at <= now()', [challenge.userId]);
    await em.execute('insert into mfa_challenges (token_hash, user_id, org_id, expires_at) values (?, ?, ?, ?)', [
      challenge.tokenHash,
      challenge.userId,
      challenge.orgId,
      challenge.expiresAt.toISOString(),
    ]);
  }

  /** The live challenge, locked until the transaction ends: concurrent redemptions of one token take turns. */
  async lockChallenge(em: EntityManager, tokenHash: string): Promise<ChallengeRow | undefined> {
    const [row] = await em.execute<ChallengeRow[]>(
      'select user_id, org_id, attempts from mfa_challenges where token_hash = ? and expires_at > now() for update',
      [tokenHash],
    );
    return row;
  }

  /** Counts a failed attempt; returns the attempts so far. */
  async countFailedAttempt(em: EntityManager, tokenHash: string): Promise<number> {
    const [row] = await em.execute<{ attempts: number }[]>(
      'update mfa_challenges set attempts = attempts + 1 where token_hash = ? returning attempts',
      [tokenHash],
    );
    return row?.attempts ?? 0;
  }

  async deleteChallenge(em: EntityManager, tokenHash: string): Promise<void> {
    await em.execute('delete from mfa_challenges where token_hash = ?', [tokenHash]);
  }
}
