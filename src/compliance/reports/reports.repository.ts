import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { StoredRow } from '../stored-row';
import { ReportFileRow, ReportRow } from './report-row';

/** Every column but the manifest, which the files and signature already describe. */
const REPORT_COLUMNS =
  'id, org_id, kind, period_start, period_end, status, requested_by, created_at, generated_at, manifest_signature, key_id, summary, error';

/** One stored file of a report, with its content. */
export interface ReportFileContent {
  content_type: string;
  content: Buffer;
  sha256: string;
}

/** Who asked for a report: a user, an API key, or nobody recorded (the monthly job). */
export interface ReportRequesterRow {
  requested_by: string | null;
  user_name: string | null;
  email: string | null;
  key_name: string | null;
}

/** A generated report's signed manifest and the summary shown with it. */
export interface GeneratedReport {
  readonly generatedAt: Date;
  readonly manifest: unknown;
  readonly signature: { readonly value: string; readonly keyId: string };
  readonly summary: unknown;
}

/** The SQL of an org's compliance reports and their files; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class ReportsRepository {
  /** Newest first: up to `limit` reports with ids below `beforeId`. */
  async page(em: EntityManager, orgId: string, beforeId: string | undefined, limit: number): Promise<ReportRow[]> {
    const rows = await em.execute<StoredRow<ReportRow>[]>(
      `select ${REPORT_COLUMNS} from compliance_reports where org_id = ? ${beforeId ? 'and id < ?' : ''} order by id desc limit ?`,
      [orgId, ...(beforeId ? [beforeId] : []), limit],
    );
    return rows.map(reportOf);
  }

  async byId(em: EntityManager, orgId: string, id: string): Promise<ReportRow | undefined> {
    const [row] = await em.execute<StoredRow<ReportRow>[]>(`select ${REPORT_COLUMNS} from compliance_reports where org_id = ? and id = ?`, [
      orgId,
      id,
    ]);
    return row && reportOf(row);
  }

  /** The files of these reports, without their content. */
  files(em: EntityManager, orgId: string, reportIds: readonly string[]): Promise<ReportFileRow[]> {
    if (reportIds.length === 0) return Promise.resolve([]);
    return em.execute<ReportFileRow[]>(
      `select report_id, name, content_type, octet_length(content) as bytes, sha256 from compliance_report_files
       where org_id = ? and report_id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
      [orgId, JSON.stringify(reportIds)],
    );
  }

  async file(em: EntityManager, orgId: string, reportId: string, name: string): Promise<ReportFileContent | undefined> {
    const [file] = await em.execute<ReportFileContent[]>(
      'select content_type, content, sha256 from compliance_report_files where org_id = ? and report_id = ? and name = ?',
      [orgId, reportId, name],
    );
    return file;
  }

  /** A report asked for now, generating until the generator stores its files. */
  async insertOnDemand(
    em: EntityManager,
    report: { id: string; orgId: string; periodStart: Date; periodEnd: Date; requestedBy: string | null },
  ): Promise<void> {
    await em.execute(
      `insert into compliance_reports (id, org_id, kind, period_start, period_end, status, requested_by)
         values (?, ?, 'on_demand', ?, ?, 'generating', ?)`,
      [report.id, report.orgId, report.periodStart, report.periodEnd, report.requestedBy],
    );
  }

  /**
   * Inserts the org's monthly report of the period, or takes over one left pending or failed, as
   * `status`; undefined when a report of that month is already generating or ready.
   */
  async claimMonthly(
    em: EntityManager,
    report: { id: string; orgId: string; period: { start: Date; end: Date } },
    status: 'generating' | 'failed',
    error: string | null,
  ): Promise<string | undefined> {
    const [row] = await em.execute<{ id: string }[]>(
      `insert into compliance_reports (id, org_id, kind, period_start, period_end, status, error)
       values (?, ?, 'monthly', ?, ?, ?, ?)
       on conflict (org_id, period_start) where kind = 'monthly'
       do update set status = excluded.status, error = excluded.error where compliance_reports.status in ('pending', 'failed')
       returning id`,
      [report.id, report.orgId, report.period.start, report.period.end, status, error],
    );
    return row?.id;
  }

  async organizationName(em: EntityManager, orgId: string): Promise<string | undefined> {
    const [organization] = await em.execute<{ name: string }[]>('select name from organizations where id = ?', [orgId]);
    return organization?.name;
  }

  async requester(em: EntityManager, orgId: string, reportId: string): Promise<ReportRequesterRow | undefined> {
    const [row] = await em.execute<ReportRequesterRow[]>(
      `select r.requested_by, u.name as user_name, u.email, k.name as key_name
     from compliance_reports r
     left join users u on u.id::text = r.requested_by
     left join api_keys k on k.id::text = r.requested_by and k.org_id = r.org_id
     where r.org_id = ? and r.id = ?`,
      [orgId, reportId],
    );
    return row;
  }

  async deleteFiles(em: EntityManager, orgId: string, reportId: string): Promise<void> {
    await em.execute('delete from compliance_report_files where org_id = ? and report_id = ?', [orgId, reportId]);
  }

  async insertFile(
    em: EntityManager,
    orgId: string,
    reportId: string,
    file: { name: string; contentType: string; content: Buffer; sha256: string },
  ): Promise<void> {
    await em.execute(
      'insert into compliance_report_files (report_id, org_id, name, content_type, content, sha256) values (?, ?, ?, ?, ?, ?)',
      [reportId, orgId, file.name, file.contentType, file.content, file.sha256],
    );
  }

  async markReady(em: EntityManager, orgId: string, reportId: string, report: GeneratedReport): Promise<void> {
    await em.execute(
      `update compliance_reports set status = 'ready', generated_at = ?, manifest = ?::jsonb, manifest_signature = ?, key_id = ?,
           summary = ?::jsonb, error = null
         where org_id = ? and id = ?`,
      [
        report.generatedAt,
        JSON.stringify(report.manifest),
        report.signature.value,
        report.signature.keyId,
        JSON.stringify(report.summary),
        orgId,
        reportId,
      ],
    );
  }
}

function reportOf(row: StoredRow<ReportRow>): ReportRow {
  return {
    ...row,
    period_start: new Date(row.period_start),
    period_end: new Date(row.period_end),
    created_at: new Date(row.created_at),
    generated_at: row.generated_at === null ? null : new Date(row.generated_at),
  };
}
