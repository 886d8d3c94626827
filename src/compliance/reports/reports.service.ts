import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError, Page, decodeCursor, encodeCursor } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { CreateReportDto, ListReportsQuery, ReportView } from './dto/report.dto';
import { ReportGenerator } from './report-generator.service';
import { DownloadFormat, REPORT_FILES, SIGNATURE_FILE } from './report-files';
import { ReportRow, reportViewOf } from './report-row';
import { ReportsRepository } from './reports.repository';
import { sha256Hex } from './report-bundle';
import { validatePeriod } from './report-period';

export interface ReportDownload {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Hex. */
  readonly sha256: string;
  readonly keyId: string;
}

/** Compliance reports of the caller's organization: listing, on-demand generation, downloads. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly generator: ReportGenerator,
    private readonly reports: ReportsRepository,
  ) {}

  /** Newest first. */
  async list(query: ListReportsQuery): Promise<Page<ReportView>> {
    const orgId = this.context.requireOrgId();
    const after = decodeCursor(query.cursor);
    return this.database.transaction(
      async (em) => {
        const rows = await this.reports.page(em, orgId, after, query.limit + 1);
        const page = rows.slice(0, query.limit);
        const files = await this.reports.files(
          em,
          orgId,
          page.map((row) => row.id),
        );
        const last = page[page.length - 1];
        return {
          data: page.map((row) =>
            reportViewOf(
              row,
              files.filter((file) => file.report_id === row.id),
            ),
          ),
          nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
        };
      },
      { replica: true },
    );
  }

  async get(id: string): Promise<ReportView> {
    const orgId = this.context.requireOrgId();
    return this.database.transaction(async (em) => {
      const row = await this.rowOf(em, orgId, id);
      return reportViewOf(row, await this.reports.files(em, orgId, [id]));
    });
  }

  /**
   * Generates the report inside the request: evidence for a period is a handful of queries, and
   * a report that exists only once complete needs no queue, no retry and no "pending" sweep.
   */
  async create(body: CreateReportDto): Promise<ReportView> {
    validatePeriod(body.from, body.to, new Date());
    const orgId = this.context.requireOrgId();
    const id = uuidv7();
    const principal = this.context.principal;
    return this.database.transaction(async (em) => {
      await this.reports.insertOnDemand(em, { id, orgId, periodStart: body.from, periodEnd: body.to, requestedBy: principal?.id ?? null });
      await this.generator.generate({ id, orgId, kind: 'on_demand', period: { start: body.from, end: body.to } });
      return reportViewOf(await this.rowOf(em, orgId, id), await this.reports.files(em, orgId, [id]));
    });
  }

  async download(id: string, format: DownloadFormat): Promise<ReportDownload> {
    const orgId = this.context.requireOrgId();
    return this.database.transaction(async (em) => {
      const row = await this.rowOf(em, orgId, id);
      if (row.status !== 'ready' || !row.manifest_signature || !row.key_id) {
        throw new ConflictError('REPORT_NOT_READY', `The report is ${row.status}; it can be downloaded once it is ready.`);
      }
      if (format === 'signature') {
        const content = Buffer.from(row.manifest_signature, 'base64');
        return { ...SIGNATURE_FILE, content, sha256: sha256Hex(content), keyId: row.key_id };
      }
      const file = await this.reports.file(em, orgId, id, REPORT_FILES[format].name);
      if (!file) throw new NotFoundError('REPORT_FILE_NOT_FOUND', `The report has no ${REPORT_FILES[format].name}.`);
      return {
        name: REPORT_FILES[format].name,
        contentType: file.content_type,
        content: file.content,
        sha256: file.sha256,
        keyId: row.key_id,
      };
    });
  }

  private async rowOf(em: EntityManager, orgId: string, id: string): Promise<ReportRow> {
    const row = await this.reports.byId(em, orgId, id);
    if (!row) throw new NotFoundError('REPORT_NOT_FOUND', 'No such report in this organization.');
    return row;
  }
}
