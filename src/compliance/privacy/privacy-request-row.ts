import { createHash } from 'node:crypto';
import { PrivacyRequestStatus, PrivacyRequestType, PrivacyRequestView } from './dto/privacy-request.dto';

/** The job's name, and the system actor of the audit events background handling appends. */
export const PRIVACY_REQUESTS_JOB = 'privacy-requests';
export const PRIVACY_SYSTEM_ACTOR = { type: 'system', id: PRIVACY_REQUESTS_JOB } as const;

/**
 * A `privacy_requests` row without its (large) export and certificate documents, timestamps as
 * `Date` (PrivacyRequestsRepository turns the driver's text into them).
 */
export interface PrivacyRequestRow {
  id: string;
  org_id: string;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  subject_email: string | null;
  subject_hash: string;
  received_at: Date;
  due_at: Date;
  extended_due_at: Date | null;
  extension_reason: string | null;
  requested_by_type: string;
  requested_by_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  rejection_reason: string | null;
  result: Record<string, unknown>;
  export_expires_at: Date | null;
  has_export: boolean;
  has_certificate: boolean;
  updated_at: Date;
}

export const REQUEST_COLUMNS = `id, org_id, type, status, subject_email, subject_hash, received_at, due_at, extended_due_at,
  extension_reason, requested_by_type, requested_by_id, started_at, completed_at, rejection_reason, result, export_expires_at,
  export is not null as has_export, certificate is not null as has_certificate, updated_at`;

/** Hashed per org, so the same person's requests to two tenants cannot be correlated. */
export function subjectHashOf(orgId: string, email: string): string {
  return createHash('sha256').update(`${orgId}:${email}`).digest('hex');
}

export function dateOf(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export const iso = (value: string | Date | null) => (value === null ? null : dateOf(value).toISOString());

export function effectiveDueOf(row: Pick<PrivacyRequestRow, 'due_at' | 'extended_due_at'>): Date {
  return row.extended_due_at ?? row.due_at;
}

export function isOpen(status: PrivacyRequestStatus): boolean {
  return status === 'pending' || status === 'in_progress';
}

export function privacyRequestViewOf(row: PrivacyRequestRow, now = new Date()): PrivacyRequestView {
  const effectiveDue = effectiveDueOf(row);
  const exportExpiresAt = iso(row.export_expires_at);
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    subjectEmail: row.subject_email,
    subjectHash: row.subject_hash,
    receivedAt: row.received_at.toISOString(),
    dueAt: row.due_at.toISOString(),
    extendedDueAt: iso(row.extended_due_at),
    effectiveDueAt: effectiveDue.toISOString(),
    overdue: isOpen(row.status) && now > effectiveDue,
    extensionReason: row.extension_reason,
    rejectionReason: row.rejection_reason,
    requestedBy: { type: row.requested_by_type, id: row.requested_by_id },
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    // Only the counts: the stored result also notes processing progress for a resumed run.
    result: Object.fromEntries(Object.entries(row.result ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number')),
    exportAvailable: row.has_export && exportExpiresAt !== null && new Date(exportExpiresAt) > now,
    exportExpiresAt,
    certificateAvailable: row.has_certificate,
    updatedAt: row.updated_at.toISOString(),
  };
}
