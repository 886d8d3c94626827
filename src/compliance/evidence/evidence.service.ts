import { Injectable } from '@nestjs/common';
import { NotFoundError, Page, ValidationError, decodeCursor, encodeCursor } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { CollectEvidenceDto, EvidenceCollectionView, EvidenceSummaryView, EvidenceView, ListEvidenceQuery } from './dto/evidence.dto';
import { EvidenceCollection } from './evidence-collection.service';
import { EvidenceRecord } from './evidence.types';
import { EvidenceRepository } from './evidence.repository';
import { evidenceRecordOf } from './stored-evidence';

const DEFAULT_PERIOD_MS = 24 * 3_600_000;
/** A year, leap years included: the longest period one request may collect for. */
const MAX_PERIOD_MS = 366 * 86_400_000;
/** Clocks differ a little between a client and us: a `to` this far ahead still counts as now. */
const CLOCK_SKEW_MS = 60_000;

/** Evidence of the caller's org: listed, read, and collected on demand. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly collection: EvidenceCollection,
    private readonly evidence: EvidenceRepository,
  ) {}

  /** Newest first; ids are UUIDv7, so id order is collection order. */
  async list(query: ListEvidenceQuery): Promise<Page<EvidenceSummaryView>> {
    if (query.from && query.to && query.from > query.to) {
      throw new ValidationError([{ field: 'from', message: 'from must not be after to' }]);
    }
    const after = decodeCursor(query.cursor);
    const orgId = this.context.requireOrgId();
    const rows = await this.database.transaction((em) => this.evidence.page(em, orgId, query, after, query.limit + 1));
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => summaryViewOf(evidenceRecordOf({ ...row, population: [], exceptions: [] }), row.exception_count)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
    };
  }

  async get(id: string): Promise<EvidenceView> {
    const orgId = this.context.requireOrgId();
    const row = await this.database.transaction((em) => this.evidence.byId(em, orgId, id));
    if (!row) throw new NotFoundError('EVIDENCE_NOT_FOUND', 'No evidence with that id in this organization.');
    return viewOf(evidenceRecordOf(row));
  }

  /** Collects now for [from, to): by default the last 24 hours. */
  async collect(input: CollectEvidenceDto): Promise<EvidenceCollectionView> {
    const now = Date.now();
    const to = input.to ?? new Date(now);
    const from = input.from ?? new Date(to.getTime() - DEFAULT_PERIOD_MS);
    if (to.getTime() > now + CLOCK_SKEW_MS) throw new ValidationError([{ field: 'to', message: 'to must not be in the future' }]);
    if (from >= to) throw new ValidationError([{ field: 'from', message: 'from must be before to' }]);
    if (to.getTime() - from.getTime() > MAX_PERIOD_MS) {
      throw new ValidationError([{ field: 'from', message: 'the period must not be longer than one year' }]);
    }
    const records = await this.collection.collectForOrg(this.context.requireOrgId(), { start: from, end: to });
    return {
      periodStart: from.toISOString(),
      periodEnd: to.toISOString(),
      data: records.map((record) => summaryViewOf(record, record.exceptions.length)),
    };
  }
}

function summaryViewOf(record: EvidenceRecord, exceptionCount: number): EvidenceSummaryView {
  return {
    id: record.id,
    checkId: record.checkId,
    checkVersion: record.checkVersion,
    criteria: [...record.criteria],
    periodStart: record.periodStart.toISOString(),
    periodEnd: record.periodEnd.toISOString(),
    collectedAt: record.collectedAt.toISOString(),
    source: record.source,
    populationCount: record.populationCount,
    exceptionCount,
    result: record.result,
    summary: { ...record.summary },
    payloadSha256: record.payloadSha256,
    jobRunId: record.jobRunId ?? null,
  };
}

function viewOf(record: EvidenceRecord): EvidenceView {
  return {
    ...summaryViewOf(record, record.exceptions.length),
    queryParams: { ...record.queryParams },
    population: record.population.map((row) => ({ ...row })),
    exceptions: record.exceptions.map((row) => ({ ...row })),
  };
}
