import { ReportFileView, ReportSummaryView, ReportView } from './dto/report.dto';
import { DownloadFormat, REPORT_FILES, ReportFileFormat, ReportKind } from './report-files';

/** A `compliance_reports` row without its manifest, as ReportsRepository returns it. */
export interface ReportRow {
  id: string;
  org_id: string;
  kind: ReportKind;
  period_start: Date;
  period_end: Date;
  status: ReportView['status'];
  requested_by: string | null;
  created_at: Date;
  generated_at: Date | null;
  manifest_signature: string | null;
  key_id: string | null;
  /** `{}` until the report is generated. */
  summary: Partial<ReportSummaryView>;
  error: string | null;
}

export interface ReportFileRow {
  report_id: string;
  name: string;
  content_type: string;
  bytes: number;
  sha256: string;
}

const FORMAT_BY_NAME = new Map<string, DownloadFormat>(
  (Object.entries(REPORT_FILES) as [ReportFileFormat, { name: string }][]).map(([format, file]) => [file.name, format]),
);
const FILE_ORDER = [...FORMAT_BY_NAME.keys()];

export function reportViewOf(row: ReportRow, files: readonly ReportFileRow[]): ReportView {
  const fileViews: ReportFileView[] = [...files]
    .sort((a, b) => FILE_ORDER.indexOf(a.name) - FILE_ORDER.indexOf(b.name))
    .flatMap((file) => {
      const format = FORMAT_BY_NAME.get(file.name);
      return format ? [{ name: file.name, format, contentType: file.content_type, bytes: Number(file.bytes), sha256: file.sha256 }] : [];
    });
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    period: { start: row.period_start.toISOString(), end: row.period_end.toISOString() },
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    generatedAt: row.generated_at ? row.generated_at.toISOString() : null,
    // Reports generated before `noActivity` existed counted empty checks as passed.
    summary: row.summary.checks === undefined ? null : ({ noActivity: 0, ...row.summary } as ReportSummaryView),
    files: fileViews,
    signature: row.manifest_signature && row.key_id ? { algorithm: 'ed25519', keyId: row.key_id, value: row.manifest_signature } : null,
    ...(row.error ? { error: row.error } : {}),
  };
}
