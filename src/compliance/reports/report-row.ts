import { ReportFileView, ReportSummaryView, ReportView } from './dto/report.dto';
import { DownloadFormat, REPORT_FILES, ReportFileFormat, ReportKind } from './report-files';

export interface ReportRow {
  id: string;
  org_id: string;
  kind: ReportKind;
  /** timestamptz arrives as text: MikroORM turns pg's date parsing off. */
  period_start: string;
  period_end: string;
  status: ReportView['status'];
  requested_by: string | null;
  created_at: string;
  generated_at: string | null;
  manifest_signature: string | null;
  key_id: string | null;
  /** `{}` until the report is generated. */
  summary: Partial<ReportSummaryView>;
  error: string | null;
}

/** Every column but the manifest, which the files and signature already describe. */
export const REPORT_COLUMNS =
  'id, org_id, kind, period_start, period_end, status, requested_by, created_at, generated_at, manifest_signature, key_id, summary, error';

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
    period: { start: isoOf(row.period_start), end: isoOf(row.period_end) },
    requestedBy: row.requested_by,
    createdAt: isoOf(row.created_at),
    generatedAt: row.generated_at ? isoOf(row.generated_at) : null,
    // Reports generated before `noActivity` existed counted empty checks as passed.
    summary: row.summary.checks === undefined ? null : ({ noActivity: 0, ...row.summary } as ReportSummaryView),
    files: fileViews,
    signature: row.manifest_signature && row.key_id ? { algorithm: 'ed25519', keyId: row.key_id, value: row.manifest_signature } : null,
    ...(row.error ? { error: row.error } : {}),
  };
}

function isoOf(timestamp: string): string {
  return new Date(timestamp).toISOString();
}
