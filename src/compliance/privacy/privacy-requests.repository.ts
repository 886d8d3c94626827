import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { PrivacyRequestStatus, PrivacyRequestType } from './dto/privacy-request.dto';
import { PrivacyRequestRow, REQUEST_COLUMNS } from './privacy-request-row';

/** What the list of requests filters on. */
export interface PrivacyRequestFilters {
  readonly status?: PrivacyRequestStatus;
  readonly type?: PrivacyRequestType;
}

/** Waiting, or claimed by a handler that has not finished within its lease (minutes, the statement's parameter). */
const CLAIMABLE = `(status = 'pending' or (status = 'in_progress' and started_at < now() - make_interval(mins => ?)))`;

/** A completed request's deliverables: the access export, or the signed erasure certificate. */
interface PrivacyDeliverableRow {
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  export: unknown;
  export_expires_at: Date | null;
  certificate: Record<string, unknown> | null;
  certificate_signature: string | null;
}

export type PrivacyExportRow = Pick<PrivacyDeliverableRow, 'type' | 'status' | 'export' | 'export_expires_at'>;
export type ErasureCertificateRow = Pick<PrivacyDeliverableRow, 'type' | 'status' | 'certificate' | 'certificate_signature'>;

/**
 * The SQL of data-subject requests as people see and decide them; each call runs in the caller's
 * org-scoped transaction, except the pick-up's list of organizations (global).
 */
@Injectable()
export class PrivacyRequestsRepository {
  async insert(
    em: EntityManager,
    request: {
      id: string;
      orgId: string;
      type: PrivacyRequestType;
      subjectEmail: string;
      subjectHash: string;
      receivedAt: Date;
      dueAt: Date;
      requestedBy: { type: string; id: string | null };
    },
  ): Promise<PrivacyRequestRow> {
    const [row] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `insert into privacy_requests (id, org_id, type, subject_email, subject_hash, received_at, due_at, requested_by_type, requested_by_id)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${REQUEST_COLUMNS}`,
      [
        request.id,
        request.orgId,
        request.type,
        request.subjectEmail,
        request.subjectHash,
        request.receivedAt,
        request.dueAt,
        request.requestedBy.type,
        request.requestedBy.id,
      ],
    );
    return privacyRequestOf(row);
  }

  /** Newest first (ids are UUIDv7, so id order is receipt order): up to `limit` requests with ids below `beforeId`. */
  async page(
    em: EntityManager,
    orgId: string,
    filters: PrivacyRequestFilters,
    beforeId: string | undefined,
    limit: number,
  ): Promise<PrivacyRequestRow[]> {
    const conditions = ['org_id = ?'];
    const params: unknown[] = [orgId];
    const where = (condition: string, value: unknown) => {
      conditions.push(condition);
      params.push(value);
    };
    if (beforeId) where('id < ?', beforeId);
    if (filters.status) where('status = ?', filters.status);
    if (filters.type) where('type = ?', filters.type);
    const rows = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `select ${REQUEST_COLUMNS} from privacy_requests where ${conditions.join(' and ')} order by id desc limit ?`,
      [...params, limit],
    );
    return rows.map(privacyRequestOf);
  }

  /** The request; locked (`forUpdate`) when about to change it, so a concurrent claim by the processor waits or is waited for. */
  async byId(em: EntityManager, orgId: string, id: string, forUpdate = false): Promise<PrivacyRequestRow | undefined> {
    const [row] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `select ${REQUEST_COLUMNS} from privacy_requests where org_id = ? and id = ?${forUpdate ? ' for update' : ''}`,
      [orgId, id],
    );
    return row && privacyRequestOf(row);
  }

  async extend(
    em: EntityManager,
    orgId: string,
    id: string,
    extension: { extendedDueAt: Date; reason: string },
  ): Promise<PrivacyRequestRow> {
    const [updated] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `update privacy_requests set extended_due_at = ?, extension_reason = ?, updated_at = now()
         where org_id = ? and id = ? returning ${REQUEST_COLUMNS}`,
      [extension.extendedDueAt, extension.reason, orgId, id],
    );
    return privacyRequestOf(updated);
  }

  async reject(em: EntityManager, orgId: string, id: string, reason: string): Promise<PrivacyRequestRow> {
    const [updated] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `update privacy_requests set status = 'rejected', rejection_reason = ?, updated_at = now()
         where org_id = ? and id = ? returning ${REQUEST_COLUMNS}`,
      [reason, orgId, id],
    );
    return privacyRequestOf(updated);
  }

  /**
   * Completes an access request with its export, kept `ttlDays`; false when the request is no
   * longer in progress (another run completed it).
   */
  async completeAccess(
    em: EntityManager,
    orgId: string,
    id: string,
    completion: { document: unknown; ttlDays: number; result: Record<string, number> },
  ): Promise<boolean> {
    const completed = await em.execute<{ id: string }[]>(
      `update privacy_requests set status = 'completed', completed_at = now(), export = ?::jsonb,
           export_expires_at = now() + make_interval(days => ?), result = ?::jsonb, updated_at = now()
         where org_id = ? and id = ? and status = 'in_progress' returning id`,
      [JSON.stringify(completion.document), completion.ttlDays, JSON.stringify(completion.result), orgId, id],
    );
    return completed.length > 0;
  }

  /**
   * Completes an erasure with its signed certificate and forgets the subject's email; false when
   * the request is no longer in progress (another run completed it).
   */
  async completeErasure(
    em: EntityManager,
    orgId: string,
    id: string,
    completion: { completedAt: Date; certificate: unknown; signature: string; result: Record<string, number> },
  ): Promise<boolean> {
    const completed = await em.execute<{ id: string }[]>(
      `update privacy_requests set status = 'completed', completed_at = ?, certificate = ?::jsonb, certificate_signature = ?,
           subject_email = null, result = ?::jsonb, updated_at = now()
         where org_id = ? and id = ? and status = 'in_progress' returning id`,
      [completion.completedAt, JSON.stringify(completion.certificate), completion.signature, JSON.stringify(completion.result), orgId, id],
    );
    return completed.length > 0;
  }

  /**
   * Takes the request for handling: from `pending`, or from `in_progress` whose handler has not
   * finished within `leaseMinutes` (its instance died). Undefined when it is not to be taken.
   */
  async claim(em: EntityManager, orgId: string, id: string, leaseMinutes: number): Promise<PrivacyRequestRow | undefined> {
    const [row] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `update privacy_requests set status = 'in_progress', started_at = now(), updated_at = now()
       where org_id = ? and id = ? and ${CLAIMABLE} returning ${REQUEST_COLUMNS}`,
      [orgId, id, leaseMinutes],
    );
    return row && privacyRequestOf(row);
  }

  /** The org's oldest request to take (as `claim`); SKIP LOCKED lets concurrent claimers take different ones. */
  /**
   * The organizations with a pending or claimed request, across tenants, for the pick-up job: it
   * walks these instead of every organization. Global scope (no org set): RLS would show it no
   * request, so it asks a security-definer function that returns org ids only.
   */
  async organizationsWithOpenRequests(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<{ org_id: string }[]>('select app_organizations_with_open_privacy_requests() as org_id');
    return rows.map((row) => row.org_id);
  }

  async claimNext(em: EntityManager, orgId: string, leaseMinutes: number): Promise<PrivacyRequestRow | undefined> {
    const [row] = await em.execute<StoredRow<PrivacyRequestRow>[]>(
      `update privacy_requests set status = 'in_progress', started_at = now(), updated_at = now()
       where org_id = ? and id = (
         select id from privacy_requests where org_id = ? and ${CLAIMABLE}
         order by received_at, id for update skip locked limit 1)
       returning ${REQUEST_COLUMNS}`,
      [orgId, orgId, leaseMinutes],
    );
    return row && privacyRequestOf(row);
  }

  /**
   * Gives a claimed request back after its handler failed, so a retry takes it at once; only the
   * claim made at `claimedAt`, to the millisecond a Date holds (a handler that outlived its lease
   * finds it re-claimed, and leaves it).
   */
  async release(em: EntityManager, orgId: string, id: string, claimedAt: Date): Promise<void> {
    await em.execute(
      `update privacy_requests set status = 'pending', updated_at = now()
       where org_id = ? and id = ? and status = 'in_progress' and date_trunc('milliseconds', started_at) = ?`,
      [orgId, id, claimedAt],
    );
  }

  async exportOf(em: EntityManager, orgId: string, id: string): Promise<PrivacyExportRow | undefined> {
    const [row] = await em.execute<StoredRow<PrivacyExportRow>[]>(
      'select type, status, export, export_expires_at from privacy_requests where org_id = ? and id = ?',
      [orgId, id],
    );
    return row && { ...row, export_expires_at: row.export_expires_at === null ? null : new Date(row.export_expires_at) };
  }

  async certificateOf(em: EntityManager, orgId: string, id: string): Promise<ErasureCertificateRow | undefined> {
    const [row] = await em.execute<ErasureCertificateRow[]>(
      'select type, status, certificate, certificate_signature from privacy_requests where org_id = ? and id = ?',
      [orgId, id],
    );
    return row;
  }
}

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

function privacyRequestOf(row: StoredRow<PrivacyRequestRow>): PrivacyRequestRow {
  return {
    ...row,
    received_at: new Date(row.received_at),
    due_at: new Date(row.due_at),
    extended_due_at: dateOrNull(row.extended_due_at),
    started_at: dateOrNull(row.started_at),
    completed_at: dateOrNull(row.completed_at),
    export_expires_at: dateOrNull(row.export_expires_at),
    updated_at: new Date(row.updated_at),
  };
}
