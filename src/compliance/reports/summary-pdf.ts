import { EvidenceRecord } from '../evidence/evidence.types';
import { PdfParagraph, renderTextPdf } from './pdf/text-pdf';
import { REPORT_FILES, ReportMetadata, ReportSummary } from './report-files';

/** Exceptions shown per check; the CSV and JSON carry all of them. */
export const EXCEPTIONS_SHOWN_PER_CHECK = 25;

const KIND_LABEL = { monthly: 'Monthly', on_demand: 'On-demand' } as const;

/** The human-readable page of a report: who, which period, each control's result, its exceptions. */
export function summaryPdf(metadata: ReportMetadata, summary: ReportSummary, records: readonly EvidenceRecord[]): Buffer {
  const title = `Compliance report ${metadata.reportId}`;
  const paragraphs: PdfParagraph[] = [
    { text: 'SOC 2 compliance report', font: 'bold', size: 18 },
    { text: `${KIND_LABEL[metadata.kind]} report`, size: 11, spaceBefore: 2 },
    { text: `Organization: ${metadata.organizationName}`, spaceBefore: 10 },
    { text: `Organization id: ${metadata.orgId}` },
    { text: `Period: ${metadata.period.start.toISOString()} to ${metadata.period.end.toISOString()} (end exclusive, UTC)` },
    { text: `Generated at: ${metadata.generatedAt.toISOString()}` },
    { text: `Report id: ${metadata.reportId}` },
    {
      text:
        `Signing key id: ${metadata.keyId} (Ed25519). ${REPORT_FILES.manifest.name} lists the SHA-256 of every file of this report ` +
        'and is signed; the public key is at GET /v1/compliance/signing-key.',
    },
    { text: 'Summary', font: 'bold', size: 13, spaceBefore: 14 },
    {
      text:
        `${summary.checks} controls: ${summary.passed} pass, ${summary.withExceptions} with exceptions, ${summary.failed} fail. ` +
        `${summary.populationTotal} items examined, ${summary.exceptionTotal} exceptions.`,
    },
    { text: 'Controls', font: 'bold', size: 13, spaceBefore: 14 },
  ];
  if (records.length === 0) paragraphs.push({ text: 'No evidence was collected for this period.' });
  for (const record of records) {
    paragraphs.push({
      text:
        `${record.checkId} (v${record.checkVersion}) - criteria ${record.criteria.join(', ')} - result: ${record.result} - ` +
        `population ${record.populationCount} - exceptions ${record.exceptions.length}`,
      spaceBefore: 3,
    });
  }
  const withExceptions = records.filter((record) => record.exceptions.length > 0);
  if (withExceptions.length > 0) paragraphs.push({ text: 'Exceptions', font: 'bold', size: 13, spaceBefore: 14 });
  for (const record of withExceptions) {
    paragraphs.push({ text: `${record.checkId}: ${record.exceptions.length} exceptions`, font: 'bold', spaceBefore: 6 });
    for (const exception of record.exceptions.slice(0, EXCEPTIONS_SHOWN_PER_CHECK)) {
      paragraphs.push({ text: `- ${describeException(exception)}`, size: 9, indent: 12 });
    }
    const hidden = record.exceptions.length - EXCEPTIONS_SHOWN_PER_CHECK;
    if (hidden > 0) {
      paragraphs.push({ text: `... and ${hidden} more (see ${REPORT_FILES.json.name})`, size: 9, indent: 12 });
    }
  }
  return renderTextPdf({ title, createdAt: metadata.generatedAt, paragraphs });
}

/** `reason: key=value, ...`: the reason first, then what identifies the row. */
function describeException(exception: Readonly<Record<string, string | number | boolean | null>>): string {
  const { reason, ...rest } = exception;
  const fields = Object.entries(rest).map(([key, value]) => `${key}=${value === null ? 'null' : String(value)}`);
  return [reason === undefined || reason === null ? 'exception' : String(reason), fields.join(', ')].filter(Boolean).join(': ');
}
