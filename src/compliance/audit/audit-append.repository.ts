import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { AuditEvent } from './audit-chain';

/**
 * One round trip seals and appends an event: lock the org's chain head, take the next seq,
 * compute `hash = SHA-256(prevHash ‖ canonical event)` in PostgreSQL (the canonical text comes
 * in two parts around the seq, which only the head knows), insert the event and move the head.
 * Returns no row when the org has no chain head yet. `chainHash` recomputes the same hash.
 */
const APPEND = `with head as (
    select last_seq + 1 as seq, last_hash as prev_hash from audit_chain_heads where org_id = ? for update
  ), sealed as (
    select seq, prev_hash, encode(sha256(convert_to(prev_hash || ?::text || seq::text || ?::text, 'UTF8')), 'hex') as hash from head
  ), appended as (
    insert into audit_events (org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
      request_id, ip, changed_fields, details, prev_hash, hash)
    select ?::uuid, seq, ?::uuid, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?::jsonb,
      prev_hash, hash
    from sealed
    returning seq, hash
  )
  update audit_chain_heads h set last_seq = appended.seq, last_hash = appended.hash from appended where h.org_id = ?
  returning appended.seq, appended.hash`;

/** The audit log's writes (audit-log.service.ts): the append, the first chain head, and whose logs a user's event goes in. */
@Injectable()
export class AuditAppendRepository {
  /** Seals and appends `event` (its canonical text split around the seq); undefined when the org has no chain head yet. */
  async append(em: EntityManager, event: AuditEvent, before: string, after: string): Promise<{ seq: number } | undefined> {
    const [sealed] = await em.execute<{ seq: string; hash: string }[]>(APPEND, [
      event.orgId,
      before,
      after,
      event.orgId,
      event.id,
      event.occurredAt,
      event.actor.type,
      event.actor.id,
      event.action,
      event.target?.type ?? null,
      event.target?.id ?? null,
      event.outcome,
      event.requestId,
      event.ip,
      JSON.stringify(event.changedFields),
      JSON.stringify(event.details),
      event.orgId,
    ]);
    return sealed ? { seq: Number(sealed.seq) } : undefined;
  }

  /** The org's chain head at genesis, unless another append made it first. */
  async createHead(em: EntityManager, orgId: string, genesisHash: string): Promise<void> {
    await em.execute(
      `insert into audit_chain_heads (org_id, last_seq, last_hash, pruned_through_hash) values (?, 0, ?, ?) on conflict (org_id) do nothing`,
      [orgId, genesisHash, genesisHash],
    );
  }

  /** The orgs a user belongs to (a failed sign-in is recorded in each). */
  async organizationsOfUser(em: EntityManager, userId: string): Promise<string[]> {
    const rows = await em.execute<{ org_id: string }[]>('select org_id from memberships where user_id = ?', [userId]);
    return rows.map((row) => row.org_id);
  }
}
