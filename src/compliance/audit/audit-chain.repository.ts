import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditActorType, AuditEvent, AuditOutcome } from './audit-chain';

/** One stored audit event, as `select *` returns it. */
export interface AuditRow {
  org_id: string;
  seq: string;
  id: string;
  /** timestamptz arrives as text: MikroORM turns pg's date parsing off. */
  occurred_at: string;
  actor_type: AuditActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: AuditOutcome;
  request_id: string | null;
  ip: string | null;
  changed_fields: string[];
  details: Record<string, string | number | boolean | null | string[]>;
  prev_hash: string;
  hash: string;
}

/** A position in an org's chain: a seq and the hash of the event at it (seq 0: the genesis hash). */
export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
}

export interface ChainHead {
  readonly last: ChainPoint;
  /** Where the surviving chain starts: retention pruned every event up to this point (seq 0: none pruned). */
  readonly prunedThrough: ChainPoint;
}

export interface CheckpointRow {
  readonly seq: number;
  readonly hash: string;
  readonly signedAt: string;
  readonly keyId: string;
  readonly signature: string;
  /** A v2 checkpoint attests that the chain verified from this point to its own; null on v1 checkpoints. */
  readonly verifiedFrom: ChainPoint | null;
}

export interface CheckpointEventRow {
  readonly checkpoint_seq: string;
  readonly checkpoint_hash: string;
  readonly prior_hash: string | null;
}

export function eventOf(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    orgId: row.org_id,
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at),
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
    outcome: row.outcome,
    requestId: row.request_id,
    ip: row.ip,
    changedFields: row.changed_fields,
    details: row.details,
  };
}

/** What the list and the export of audit events filter on. */
export interface AuditEventFilters {
  readonly action?: string;
  readonly actorId?: string;
  readonly targetId?: string;
  readonly from?: Date;
  readonly to?: Date;
}

function whereOf(orgId: string, filters: AuditEventFilters): { where: string[]; params: unknown[] } {
  const where = ['org_id = ?'];
  const params: unknown[] = [orgId];
  const conditions: [string, unknown][] = [
    ['action = ?', filters.action],
    ['actor_id = ?', filters.actorId],
    ['target_id = ?', filters.targetId],
    ['occurred_at >= ?', filters.from],
    ['occurred_at < ?', filters.to],
  ];
  for (const [condition, value] of conditions) {
    if (value === undefined) continue;
    where.push(condition);
    params.push(value);
  }
  return { where, params };
}

/** The SQL that reads an org's audit events, hash chain and checkpoints; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class AuditChainRepository {
  /** Newest first: `limit` events before the event `beforeId` (or from the newest). */
  page(em: EntityManager, orgId: string, filters: AuditEventFilters, beforeId: string | undefined, limit: number): Promise<AuditRow[]> {
    const { where, params } = whereOf(orgId, filters);
    if (beforeId) {
      where.push('seq < coalesce((select seq from audit_events where org_id = ? and id = ?), 0)');
      params.push(orgId, beforeId);
    }
    return em.execute<AuditRow[]>(`select * from audit_events where ${where.join(' and ')} order by seq desc limit ?`, [...params, limit]);
  }

  /** Oldest first: `limit` matching events after `afterSeq`. */
  exportBatch(em: EntityManager, orgId: string, filters: AuditEventFilters, afterSeq: number, limit: number): Promise<AuditRow[]> {
    const { where, params } = whereOf(orgId, filters);
    return em.execute<AuditRow[]>(`select * from audit_events where ${[...where, 'seq > ?'].join(' and ')} order by seq limit ?`, [
      ...params,
      afterSeq,
      limit,
    ]);
  }

  async head(em: EntityManager, orgId: string): Promise<ChainHead | undefined> {
    const [row] = await em.execute<{ last_seq: string; last_hash: string; pruned_through_seq: string; pruned_through_hash: string }[]>(
      'select last_seq, last_hash, pruned_through_seq, pruned_through_hash from audit_chain_heads where org_id = ?',
      [orgId],
    );
    return row
      ? {
          last: { seq: Number(row.last_seq), hash: row.last_hash },
          prunedThrough: { seq: Number(row.pruned_through_seq), hash: row.pruned_through_hash },
        }
      : undefined;
  }

  /** Up to `limit` events from `fromSeq` on, in seq order. */
  events(em: EntityManager, orgId: string, fromSeq: number, limit: number): Promise<AuditRow[]> {
    return em.execute<AuditRow[]>('select * from audit_events where org_id = ? and seq >= ? order by seq limit ?', [orgId, fromSeq, limit]);
  }

  async checkpoints(em: EntityManager, orgId: string): Promise<CheckpointRow[]> {
    const rows = await em.execute<
      {
        seq: string;
        hash: string;
        signed_at: string;
        key_id: string;
        signature: string;
        verified_from_seq: string | null;
        verified_from_hash: string | null;
      }[]
    >(
      `select seq, hash, signed_at, key_id, signature, verified_from_seq, verified_from_hash
       from audit_checkpoints where org_id = ? order by seq`,
      [orgId],
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      hash: row.hash,
      signedAt: new Date(row.signed_at).toISOString(),
      keyId: row.key_id,
      signature: row.signature,
      verifiedFrom:
        row.verified_from_seq !== null && row.verified_from_hash !== null
          ? { seq: Number(row.verified_from_seq), hash: row.verified_from_hash }
          : null,
    }));
  }

  /**
   * Each checkpoint above `aboveSeq` with the event it names (absent when gone) and the stored hash
   * of the event before that one: enough to check, per checkpoint, that its event still carries the
   * signed hash, still recomputes to it, and still follows its predecessor. One index walk.
   */
  checkpointEvents(em: EntityManager, orgId: string, aboveSeq: number): Promise<(Partial<AuditRow> & CheckpointEventRow)[]> {
    return em.execute<(Partial<AuditRow> & CheckpointEventRow)[]>(
      `select c.seq as checkpoint_seq, c.hash as checkpoint_hash, p.hash as prior_hash, e.*
       from audit_checkpoints c
       left join audit_events e on e.org_id = c.org_id and e.seq = c.seq
       left join audit_events p on p.org_id = c.org_id and p.seq = c.seq - 1
       where c.org_id = ? and c.seq > ?
       order by c.seq`,
      [orgId, aboveSeq],
    );
  }

  /** How many events lie in (afterSeq, throughSeq]: one per seq when none was deleted. */
  async countEvents(em: EntityManager, orgId: string, afterSeq: number, throughSeq: number): Promise<number> {
    const [row] = await em.execute<{ n: string }[]>('select count(*) as n from audit_events where org_id = ? and seq > ? and seq <= ?', [
      orgId,
      afterSeq,
      throughSeq,
    ]);
    return Number(row.n);
  }

  /** The lowest event at or before `seq`: retention deletes everything up to the pruned point, so there should be none. */
  async firstEventThrough(em: EntityManager, orgId: string, seq: number): Promise<number | undefined> {
    const [row] = await em.execute<{ seq: string | null }[]>('select min(seq) as seq from audit_events where org_id = ? and seq <= ?', [
      orgId,
      seq,
    ]);
    return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
  }

  async insertCheckpoint(
    em: EntityManager,
    orgId: string,
    checkpoint: { point: ChainPoint; verifiedFrom: ChainPoint; keyId: string; signature: string },
  ): Promise<void> {
    await em.execute(
      `insert into audit_checkpoints (org_id, seq, hash, key_id, signature, verified_from_seq, verified_from_hash)
       values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      [
        orgId,
        checkpoint.point.seq,
        checkpoint.point.hash,
        checkpoint.keyId,
        checkpoint.signature,
        checkpoint.verifiedFrom.seq,
        checkpoint.verifiedFrom.hash,
      ],
    );
  }
}
