import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/http';

/** The prevHash of an org's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'denied';
export type AuditActorType = 'user' | 'api_key' | 'system' | 'anonymous';
export type AuditDetailValue = string | number | boolean | null | readonly string[];

/** One audit event as it is hashed and stored. Never holds personal-data values, only field names. */
export interface AuditEvent {
  readonly id: string;
  readonly orgId: string;
  readonly seq: number;
  readonly occurredAt: Date;
  readonly actor: { readonly type: AuditActorType; readonly id: string | null };
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string } | null;
  readonly outcome: AuditOutcome;
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly changedFields: readonly string[];
  readonly details: Readonly<Record<string, AuditDetailValue>>;
}

/**
 * The exact text an event's hash covers: canonical JSON (sorted keys, no whitespace) of every
 * stored field. Anyone holding an export can recompute it: see the README's Compliance section.
 */
export function canonicalEvent(event: AuditEvent): string {
  return canonicalJson({
    id: event.id,
    orgId: event.orgId,
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    outcome: event.outcome,
    requestId: event.requestId,
    ip: event.ip,
    changedFields: event.changedFields,
    details: event.details,
  });
}

/** `hash = SHA-256(prevHash ‖ canonical event)`, hex. */
export function chainHash(prevHash: string, event: AuditEvent): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(event)).digest('hex');
}

/**
 * What a checkpoint signature covers. v1 (older checkpoints): the org's (seq, hash). v2: also the
 * point the chain was verified from before signing (the previous v2 checkpoint, or the chain's
 * start), so that a v2 checkpoint vouches for every event up to it.
 */
export function checkpointMessage(
  orgId: string,
  seq: number,
  hash: string,
  verifiedFrom?: { readonly seq: number; readonly hash: string } | null,
): string {
  return verifiedFrom
    ? `atrium-audit-checkpoint:v2:${orgId}:${seq}:${hash}:verified-from:${verifiedFrom.seq}:${verifiedFrom.hash}`
    : `atrium-audit-checkpoint:v1:${orgId}:${seq}:${hash}`;
}
