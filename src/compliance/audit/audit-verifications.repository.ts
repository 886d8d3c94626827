import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ChainPoint } from './audit-chain.repository';
import { AuditVerificationStatus } from './dto/audit-verification.dto';

export interface AuditVerificationRow {
  id: string;
  org_id: string;
  requested_by_type: string;
  requested_by_id: string | null;
  status: AuditVerificationStatus;
  /** timestamptz columns arrive as text: MikroORM turns pg's date parsing off. */
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  from_seq: string | null;
  from_hash: string | null;
  through_seq: string | null;
  through_hash: string | null;
  position_seq: string | null;
  position_hash: string | null;
  checked: string;
  valid: boolean | null;
  first_broken_seq: string | null;
  error: string | null;
  signed_payload: string | null;
  key_id: string | null;
  signature: string | null;
}

/** Open runs: waiting, or claimed by an instance whose lease has not run out. */
const OPEN = `status in ('queued', 'running')`;
/** What a claim may take: a waiting run, or one whose instance stopped renewing its lease. */
const CLAIMABLE = `(status = 'queued' or (status = 'running' and lease_until < now()))`;
const CLAIM_SET = `status = 'running', started_at = coalesce(started_at, now()), attempts = attempts + 1,
  lease_until = now() + make_interval(secs => ?)`;

/**
 * The SQL of full audit-chain verifications; each call runs in the caller's org-scoped transaction,
 * except the pick-up's list of organizations (global).
 */
@Injectable()
export class AuditVerificationsRepository {
  /** Inserts a queued run unless the org already has an open one; undefined when it has. */
  async insertUnlessOpen(
    em: EntityManager,
    row: { id: string; orgId: string; requestedBy: { type: string; id: string | null } },
  ): Promise<AuditVerificationRow | undefined> {
    const [inserted] = await em.execute<AuditVerificationRow[]>(
      `insert into audit_verifications (id, org_id, requested_by_type, requested_by_id)
       values (?, ?, ?, ?) on conflict (org_id) where ${OPEN} do nothing returning *`,
      [row.id, row.orgId, row.requestedBy.type, row.requestedBy.id],
    );
    return inserted;
  }

  async open(em: EntityManager, orgId: string): Promise<AuditVerificationRow | undefined> {
    const [row] = await em.execute<AuditVerificationRow[]>(`select * from audit_verifications where org_id = ? and ${OPEN} limit 1`, [orgId]);
    return row;
  }

  async byId(em: EntityManager, orgId: string, id: string): Promise<AuditVerificationRow | undefined> {
    const [row] = await em.execute<AuditVerificationRow[]>('select * from audit_verifications where org_id = ? and id = ?', [orgId, id]);
    return row;
  }

  /** Newest first, `limit` rows before the cursor's id. */
  page(em: EntityManager, orgId: string, beforeId: string | undefined, limit: number): Promise<AuditVerificationRow[]> {
    return em.execute<AuditVerificationRow[]>(
      `select * from audit_verifications where org_id = ? ${beforeId ? 'and id < ?' : ''} order by id desc limit ?`,
      beforeId ? [orgId, beforeId, limit] : [orgId, limit],
    );
  }

  /** Claims the run if it is waiting or abandoned; SKIP LOCKED leaves it to a concurrent claimer. */
  async claim(em: EntityManager, orgId: string, id: string, leaseSeconds: number): Promise<AuditVerificationRow | undefined> {
    const [row] = await em.execute<AuditVerificationRow[]>(
      `update audit_verifications set ${CLAIM_SET}
       where org_id = ? and id = (select id from audit_verifications where org_id = ? and id = ? and ${CLAIMABLE} for update skip locked)
       returning *`,
      [leaseSeconds, orgId, orgId, id],
    );
    return row;
  }

  /**
   * The organizations with an open run, across tenants, for the pick-up job: it walks these instead
   * of every organization. Global scope (no org set): RLS would show it no run, so it asks a
   * security-definer function that returns org ids only.
   */
  async organizationsWithOpenRuns(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<{ org_id: string }[]>('select app_organizations_with_open_audit_verifications() as org_id');
    return rows.map((row) => row.org_id);
  }

  /** Claims the org's oldest waiting or abandoned run. */
  async claimNext(em: EntityManager, orgId: string, leaseSeconds: number): Promise<AuditVerificationRow | undefined> {
    const [row] = await em.execute<AuditVerificationRow[]>(
      `update audit_verifications set ${CLAIM_SET}
       where org_id = ? and id = (
         select id from audit_verifications where org_id = ? and ${CLAIMABLE} order by created_at for update skip locked limit 1)
       returning *`,
      [leaseSeconds, orgId, orgId],
    );
    return row;
  }

  /** Saves where the run has got to and renews its lease; false when the run is no longer this claim's (another took it over). */
  async saveProgress(
    em: EntityManager,
    orgId: string,
    id: string,
    attempt: number,
    progress: { fromSeq: number; fromHash: string; throughSeq: number; position: ChainPoint; checked: number },
    leaseSeconds: number,
  ): Promise<boolean> {
    const rows = await em.execute<{ id: string }[]>(
      `update audit_verifications set from_seq = ?, from_hash = ?, through_seq = ?, position_seq = ?, position_hash = ?, checked = ?,
         lease_until = now() + make_interval(secs => ?)
       where org_id = ? and id = ? and status = 'running' and attempts = ? returning id`,
      [
        progress.fromSeq,
        progress.fromHash,
        progress.throughSeq,
        progress.position.seq,
        progress.position.hash,
        progress.checked,
        leaseSeconds,
        orgId,
        id,
        attempt,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Lets another instance take the run over at once (this one is shutting down). The claim is not
   * counted as an attempt: a clean hand-over is not a failure.
   */
  async release(em: EntityManager, orgId: string, id: string, attempt: number): Promise<void> {
    await em.execute(
      `update audit_verifications set lease_until = now(), attempts = attempts - 1 where org_id = ? and id = ? and status = 'running' and attempts = ?`,
      [orgId, id, attempt],
    );
  }

  async finish(
    em: EntityManager,
    orgId: string,
    id: string,
    attempt: number,
    outcome: {
      fromSeq: number;
      fromHash: string;
      throughSeq: number;
      throughHash: string | null;
      checked: number;
      valid: boolean;
      firstBrokenSeq: number | null;
      finishedAt: string;
      signedPayload: string;
      keyId: string;
      signature: string;
    },
  ): Promise<void> {
    await em.execute(
      `update audit_verifications set status = 'succeeded', from_seq = ?, from_hash = ?, through_seq = ?, through_hash = ?, checked = ?,
         valid = ?, first_broken_seq = ?, finished_at = ?, signed_payload = ?, key_id = ?, signature = ?, lease_until = null
       where org_id = ? and id = ? and status = 'running' and attempts = ?`,
      [
        outcome.fromSeq,
        outcome.fromHash,
        outcome.throughSeq,
        outcome.throughHash,
        outcome.checked,
        outcome.valid,
        outcome.firstBrokenSeq,
        outcome.finishedAt,
        outcome.signedPayload,
        outcome.keyId,
        outcome.signature,
        orgId,
        id,
        attempt,
      ],
    );
  }

  async fail(em: EntityManager, orgId: string, id: string, error: string): Promise<void> {
    await em.execute(
      `update audit_verifications set status = 'failed', error = ?, finished_at = now(), lease_until = null
       where org_id = ? and id = ? and status in ('queued', 'running')`,
      [error, orgId, id],
    );
  }
}
