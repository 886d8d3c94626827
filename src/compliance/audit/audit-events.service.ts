import { Readable } from 'node:stream';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Page, ValidationError, csvCell, decodeCursor, encodeCursor } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { AuditChainRepository, AuditEventFilters, AuditRow, eventOf } from './audit-chain.repository';
import { CheckpointLedger } from './checkpoint-ledger.service';
import { walkSegment } from './chain-verifier';
import { AuditEventView, AuditQuery, ChainVerification } from './dto/audit-event.dto';

/** What the list and the export filter on; the export has no paging. */
type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

const EXPORT_BATCH = 1000;

/** Reading the audit log: filtered pages, streamed exports, and verification of the hash chain. */
@Injectable()
export class AuditEventsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly ledger: CheckpointLedger,
    private readonly chain: AuditChainRepository,
  ) {}

  /** Newest first. */
  async list(query: AuditQuery): Promise<Page<AuditEventView>> {
    const orgId = this.context.requireOrgId();
    const filters = checked(query);
    const rows = await this.database.transaction((em) => this.chain.page(em, orgId, filters, decodeCursor(query.cursor), query.limit + 1), {
      replica: true,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(viewOf), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
  }

  /** Oldest first, with each event's hashes, so the file itself can be checked against the chain. */
  export(query: AuditFilters, format: 'csv' | 'jsonl'): Readable {
    const orgId = this.context.requireOrgId();
    const filters = checked(query);
    const { database, chain } = this;
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
      let afterSeq = 0;
      for (;;) {
        // From the primary: batch by batch, routing could switch between primary and a replica that
        // has not replayed as far, and a short batch from it would end the export early.
        const rows = await database.forOrganization(orgId, (em) => chain.exportBatch(em, orgId, filters, afterSeq, EXPORT_BATCH));
        for (const row of rows) yield format === 'csv' ? csvLine(viewOf(row)) : `${JSON.stringify(viewOf(row))}\n`;
        if (rows.length < EXPORT_BATCH) return;
        afterSeq = Number(rows[rows.length - 1].seq);
      }
    }
    return Readable.from(lines());
  }

  /**
   * Verifies the org's chain at the cost of what changed since its newest sound checkpoint: every
   * checkpoint's signature and link back to the chain's start (chain-verifier.ts anchorOf), every
   * checkpointed event still carrying its signed hash, then the events after the anchor recomputed
   * up to the head (every seq present, every prevHash the previous hash, every hash
   * SHA-256(prevHash ‖ canonical event)). Deleting the newest events, even with the chain head
   * rewritten to match, shows against the newest checkpoint. Events before the anchor were
   * recomputed when it was signed; a full re-verification (POST /v1/audit-events/verifications)
   * recomputes them again.
   */
  verify(): Promise<ChainVerification> {
    // One snapshot for every read below (they join it): a prune or a checkpoint committed midway
    // must not look like a break.
    return this.database.snapshot((em) => this.verifyChain(em, this.context.requireOrgId()));
  }

  private async verifyChain(em: EntityManager, orgId: string): Promise<ChainVerification> {
    const reading = await this.ledger.read(em, orgId);
    const { anchor, start, newest, mismatchSeq } = reading;
    const segment = await walkSegment(anchor.from, reading.head?.last.seq ?? 0, (fromSeq, limit) =>
      this.chain.events(em, orgId, fromSeq, limit),
    );
    const lastSeq = segment.last.seq;
    // A checkpointed event that is gone or changed: past the chain's end, the newest events were cut off.
    const rewrittenSeq = mismatchSeq === undefined ? undefined : mismatchSeq > lastSeq ? lastSeq + 1 : mismatchSeq;
    // Events past the head the chain names: the head was moved back over them.
    const pastHead =
      segment.firstBrokenSeq === undefined && (await this.chain.countEvents(em, orgId, lastSeq, Number.MAX_SAFE_INTEGER)) > 0
        ? lastSeq + 1
        : undefined;
    const broken = [segment.firstBrokenSeq, anchor.brokenSeq, rewrittenSeq, reading.startBrokenSeq, pastHead].filter(
      (seq): seq is number => seq !== undefined,
    );
    return {
      valid: broken.length === 0,
      checked: segment.checked,
      checkpointedThrough: anchor.from.seq > start.seq ? anchor.from.seq : 0,
      ...(broken.length > 0 ? { firstBrokenSeq: Math.min(...broken) } : {}),
      lastSeq,
      lastHash: lastSeq > 0 ? segment.last.hash : null,
      checkpoint: newest ? { seq: newest.seq, signedAt: newest.signedAt, signatureValid: newest.signatureValid } : null,
    };
  }
}

/** The filters, once `from` and `to` make a range. */
function checked(query: AuditFilters): AuditEventFilters {
  if (query.from && query.to && query.from > query.to) {
    throw new ValidationError([{ field: 'from', message: 'from must not be after to' }]);
  }
  return { action: query.action, actorId: query.actorId, targetId: query.targetId, from: query.from, to: query.to };
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
