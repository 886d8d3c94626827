import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { Page, ValidationError, csvCell, decodeCursor, encodeCursor } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { Signer } from '../signing/signer';
import { AuditActorType, AuditEvent, AuditOutcome, GENESIS_HASH, chainHash, checkpointMessage } from './audit-chain';
import { AuditEventView, AuditQuery, ChainVerification } from './dto/audit-event.dto';

interface AuditRow {
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

/** What the list and the export filter on; the export has no paging. */
type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

const EXPORT_BATCH = 1000;
const VERIFY_BATCH = 5000;

/** Reading the audit log: filtered pages, streamed exports, and verification of the hash chain. */
@Injectable()
export class AuditEventsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly signer: Signer,
  ) {}

  /** Newest first. */
  async list(query: AuditQuery): Promise<Page<AuditEventView>> {
    const after = decodeCursor(query.cursor);
    const rows = await this.database.transaction(async (em) => {
      const { where, params } = this.filters(query);
      if (after) {
        where.push('seq < coalesce((select seq from audit_events where org_id = ? and id = ?), 0)');
        params.push(this.context.requireOrgId(), after);
      }
      return em.execute<AuditRow[]>(`select * from audit_events where ${where.join(' and ')} order by seq desc limit ?`, [
        ...params,
        query.limit + 1,
      ]);
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(viewOf), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
  }

  /** Oldest first, with each event's hashes, so the file itself can be checked against the chain. */
  export(query: AuditFilters, format: 'csv' | 'jsonl'): Readable {
    const orgId = this.context.requireOrgId();
    const filters = this.filters(query);
    const database = this.database;
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
      let afterSeq = 0;
      for (;;) {
        const rows = await database.forOrganization(orgId, (em) =>
          em.execute<AuditRow[]>(
            `select * from audit_events where ${[...filters.where, 'seq > ?'].join(' and ')} order by seq limit ${EXPORT_BATCH}`,
            [...filters.params, afterSeq],
          ),
        );
        for (const row of rows) yield format === 'csv' ? csvLine(viewOf(row)) : `${JSON.stringify(viewOf(row))}\n`;
        if (rows.length < EXPORT_BATCH) return;
        afterSeq = Number(rows[rows.length - 1].seq);
      }
    }
    return Readable.from(lines());
  }

  /**
   * Recomputes the org's chain from where retention last pruned it: every seq present, every
   * prevHash equal to the previous hash, every hash equal to SHA-256(prevHash ‖ canonical event).
   * Then checks the newest signed checkpoint: if rows at or before it are gone, or its hash no
   * longer matches, the newest events were deleted or rewritten together with the chain head.
   */
  verify(): Promise<ChainVerification> {
    // One snapshot for every read below (they join it): a prune or a checkpoint committed midway
    // must not look like a break.
    return this.database.snapshot(() => this.verifyChain(this.context.requireOrgId()));
  }

  private async verifyChain(orgId: string): Promise<ChainVerification> {
    const [head] = await this.database.transaction((em) =>
      em.execute<{ last_seq: string; last_hash: string; pruned_through_seq: string; pruned_through_hash: string }[]>(
        'select last_seq, last_hash, pruned_through_seq, pruned_through_hash from audit_chain_heads where org_id = ?',
        [orgId],
      ),
    );
    let expectedSeq = Number(head?.pruned_through_seq ?? 0) + 1;
    let prevHash = head?.pruned_through_hash ?? GENESIS_HASH;
    let checked = 0;
    let firstBrokenSeq: number | undefined;
    for (;;) {
      const rows = await this.database.transaction((em) =>
        em.execute<AuditRow[]>(`select * from audit_events where org_id = ? and seq >= ? order by seq limit ${VERIFY_BATCH}`, [
          orgId,
          expectedSeq,
        ]),
      );
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expectedSeq || row.prev_hash !== prevHash || chainHash(prevHash, eventOf(row)) !== row.hash) {
          firstBrokenSeq = Math.min(seq, expectedSeq);
          break;
        }
        checked += 1;
        prevHash = row.hash;
        expectedSeq += 1;
      }
      if (firstBrokenSeq !== undefined || rows.length < VERIFY_BATCH) break;
    }
    const lastSeq = expectedSeq - 1;
    if (firstBrokenSeq === undefined && head && Number(head.last_seq) > lastSeq) firstBrokenSeq = lastSeq + 1;

    const checkpoint = await this.latestCheckpoint(orgId);
    if (checkpoint && firstBrokenSeq === undefined) {
      if (!checkpoint.signatureValid) firstBrokenSeq = checkpoint.seq;
      else if (checkpoint.seq > lastSeq) firstBrokenSeq = lastSeq + 1;
      else if (!(await this.hashAt(orgId, checkpoint.seq, checkpoint.hash))) firstBrokenSeq = checkpoint.seq;
    }
    return {
      valid: firstBrokenSeq === undefined,
      checked,
      ...(firstBrokenSeq !== undefined ? { firstBrokenSeq } : {}),
      lastSeq,
      lastHash: lastSeq > 0 ? prevHash : null,
      checkpoint: checkpoint ? { seq: checkpoint.seq, signedAt: checkpoint.signedAt, signatureValid: checkpoint.signatureValid } : null,
    };
  }

  private async latestCheckpoint(orgId: string) {
    const [row] = await this.database.transaction((em) =>
      em.execute<{ seq: string; hash: string; signed_at: string; key_id: string; signature: string }[]>(
        'select seq, hash, signed_at, key_id, signature from audit_checkpoints where org_id = ? order by seq desc limit 1',
        [orgId],
      ),
    );
    if (!row) return undefined;
    const seq = Number(row.seq);
    const signatureValid = await this.signer.verify(checkpointMessage(orgId, seq, row.hash), { keyId: row.key_id, value: row.signature });
    return { seq, hash: row.hash, signedAt: new Date(row.signed_at).toISOString(), signatureValid };
  }

  private async hashAt(orgId: string, seq: number, hash: string): Promise<boolean> {
    const rows = await this.database.transaction((em) =>
      em.execute<{ hash: string }[]>('select hash from audit_events where org_id = ? and seq = ?', [orgId, seq]),
    );
    return rows[0]?.hash === hash;
  }

  private filters(query: AuditFilters): { where: string[]; params: unknown[] } {
    if (query.from && query.to && query.from > query.to) {
      throw new ValidationError([{ field: 'from', message: 'from must not be after to' }]);
    }
    const where = ['org_id = ?'];
    const params: unknown[] = [this.context.requireOrgId()];
    const conditions: [string, unknown][] = [
      ['action = ?', query.action],
      ['actor_id = ?', query.actorId],
      ['target_id = ?', query.targetId],
      ['occurred_at >= ?', query.from],
      ['occurred_at < ?', query.to],
    ];
    for (const [condition, value] of conditions) {
      if (value === undefined) continue;
      where.push(condition);
      params.push(value);
    }
    return { where, params };
  }
}

function eventOf(row: AuditRow): AuditEvent {
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

function viewOf(row: AuditRow): AuditEventView {
  const { orgId: _orgId, occurredAt, ...event } = eventOf(row);
  return { ...event, changedFields: row.changed_fields, occurredAt: occurredAt.toISOString(), prevHash: row.prev_hash, hash: row.hash };
}

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'requestId',
  'ip',
  'changedFields',
  'details',
  'prevHash',
  'hash',
] as const;

function csvLine(view: AuditEventView): string {
  const values = [
    view.seq,
    view.id,
    view.occurredAt,
    view.actor.type,
    view.actor.id,
    view.action,
    view.target?.type,
    view.target?.id,
    view.outcome,
    view.requestId,
    view.ip,
    view.changedFields.join(' '),
    JSON.stringify(view.details),
    view.prevHash,
    view.hash,
  ];
  return `${values.map(csvCell).join(',')}\n`;
}
