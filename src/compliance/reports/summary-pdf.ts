import { EvidenceRecord } from '../evidence';
import { SIGNING_KEYS_DOCUMENT_PATH } from '../../platform/signing';
import { CONTROLS, NO_ACTIVITY, resultLabel } from './control-catalogue';
import { isOmittedColumn } from './evidence-csv';
import { ReportPdf } from './pdf/report-pdf';
import { REPORT_FILES, ReportFile, ReportMetadata, ReportSummary, SIGNATURE_FILE } from './report-files';

/** Exceptions shown per check; the evidence files carry all of them. */
export const EXCEPTIONS_SHOWN_PER_CHECK = 25;

const KIND_LABEL = { monthly: 'Monthly (scheduled)', on_demand: 'On-demand' } as const;

/**
 * The report as a person reads it, complete on its own: scope, each control with its description,
 * test procedure and result, the exceptions, and how to verify the files it came with.
 */
export function summaryPdf(
  metadata: ReportMetadata,
  summary: ReportSummary,
  records: readonly EvidenceRecord[],
  evidenceFiles: readonly ReportFile[],
): Promise<Buffer> {
  const pdf = new ReportPdf(`Compliance report ${metadata.reportId}`, metadata.generatedAt);
  const period = `${metadata.period.start.toISOString()} to ${metadata.period.end.toISOString()} (end exclusive, UTC)`;
  pdf.paragraph('SOC 2 compliance evidence report', { weight: 'bold', size: 18 });
  pdf.paragraph(`${KIND_LABEL[metadata.kind]} report, generated ${metadata.generatedAt.toISOString()}`, { size: 11 });

  pdf.heading('Scope');
  // A paragraph, not a table cell: right-to-left names are laid out word by word only in paragraphs.
  pdf.paragraph(`Organization: ${metadata.organizationName}`, { weight: 'bold', size: 11 });
  pdf.table(
    [
      { header: 'Item', width: 110 },
      { header: 'Value', width: '*' },
    ],
    [
      ['Organization id', metadata.orgId],
      ['System', 'Atrium, the multi-tenant CRM service, as operated for this organization (its tenant of the service)'],
      ['Period', period],
      ['Requested by', metadata.requestedBy],
      ['Report id', metadata.reportId],
    ],
  );
  pdf.paragraph(
    `Covered: the ${records.length} controls listed below, tested by Atrium against its own database and audit log for the period ` +
      '(point-in-time checks such as the access review and API keys reflect the moment of generation). Each control names the ' +
      'SOC 2 trust services criteria (2017, revised points of focus 2022) it supports.',
    { spaceBefore: 6 },
  );
  pdf.paragraph(
    'Not covered: this is supporting evidence, not a SOC 2 Type I or Type II report, and carries no auditor’s opinion. It does not ' +
      'cover the hosting infrastructure (physical and network security, backups, host hardening), people controls (hiring, ' +
      'training), vendor management, controls operated outside Atrium, or criteria not named below.',
    { spaceBefore: 4 },
  );

  pdf.heading('Summary');
  pdf.paragraph(
    `${summary.checks} controls: ${summary.passed} pass, ${summary.noActivity} ${NO_ACTIVITY}, ${summary.withExceptions} with ` +
      `exceptions, ${summary.failed} fail. ${summary.populationTotal} items examined, ${summary.exceptionTotal} exceptions.`,
  );
  if (records.length === 0) pdf.paragraph('No evidence was collected for this period.');
  else {
    pdf.table(
      [
        { header: 'Control', width: 110 },
        { header: 'Criteria', width: 90 },
        { header: 'Population', width: 65 },
        { header: 'Exceptions', width: 65 },
        { header: 'Result', width: '*' },
      ],
      records.map((record) => [
        `${record.checkId} (v${record.checkVersion})`,
        record.criteria.join(', '),
        String(record.populationCount),
        String(record.exceptions.length),
        resultLabel(record),
      ]),
    );
  }

  pdf.heading('Controls');
  for (const record of records) {
    const control = CONTROLS[record.checkId];
    pdf.paragraph(`${record.checkId} (v${record.checkVersion})`, { weight: 'bold', spaceBefore: 8 });
    pdf.table(
      [
        { header: 'Field', width: 110 },
        { header: record.checkId, width: '*' },
      ],
      [
        ['Criteria', record.criteria.join(', ')],
        ['Control', control?.description ?? 'Not described in this version of Atrium.'],
        ['Test procedure', control?.procedure ?? 'Not described in this version of Atrium.'],
        [
          'Population',
          `${record.populationCount} ${record.populationCount === 1 ? 'item' : 'items'}${record.populationCount === 0 ? ` (${NO_ACTIVITY})` : ''}`,
        ],
        ['Exceptions', String(record.exceptions.length)],
        ['Result', resultLabel(record)],
        ['Evidence', `record ${record.id}, collected ${record.collectedAt.toISOString()}, payload SHA-256 ${record.payloadSha256}`],
      ],
    );
  }

  const withExceptions = records.filter((record) => record.exceptions.length > 0);
  if (withExceptions.length > 0) pdf.heading('Exceptions');
  for (const record of withExceptions) {
    pdf.paragraph(`${record.checkId}: ${record.exceptions.length} exceptions`, { weight: 'bold', spaceBefore: 6 });
    for (const exception of record.exceptions.slice(0, EXCEPTIONS_SHOWN_PER_CHECK)) {
      pdf.paragraph(`- ${describeException(exception)}`, { size: 9, indent: 12 });
    }
    const hidden = record.exceptions.length - EXCEPTIONS_SHOWN_PER_CHECK;
    if (hidden > 0) pdf.paragraph(`... and ${hidden} more (see ${REPORT_FILES.csv.name})`, { size: 9, indent: 12 });
  }

  pdf.heading('Verification');
  pdf.paragraph(
    `${REPORT_FILES.manifest.name} lists the SHA-256 of this PDF and of every other file of the report, and is signed with ` +
      `Ed25519; the signature is ${SIGNATURE_FILE.name}. The evidence files this PDF summarizes:`,
  );
  pdf.table(
    [
      { header: 'File', width: 110 },
      { header: 'SHA-256', width: '*' },
    ],
    evidenceFiles.map((file) => [file.name, file.sha256]),
  );
  pdf.table(
    [
      { header: 'Signing key', width: 110 },
      { header: 'Value', width: '*' },
    ],
    [
      ['Key id', metadata.keyId],
      ['Algorithm', 'Ed25519'],
      ['Fingerprint', `SHA-256 of the public key (SPKI DER): ${metadata.keyFingerprint}`],
      ['Published at', `${SIGNING_KEYS_DOCUMENT_PATH} (no credentials needed)`],
    ],
  );
  pdf.paragraph(
    'To verify with openssl alone: fetch the key document, check the key’s fingerprint, verify the signature of manifest.json with ' +
      '`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile manifest.json.sig`, then compare each ' +
      'file’s SHA-256 with the manifest (`sha256sum -c`). The README of Atrium gives every step.',
    { size: 9, spaceBefore: 6 },
  );
  return pdf.finish();
}

/** `reason: key=value, ...`: the reason first, then what identifies the row. */
function describeException(exception: Readonly<Record<string, string | number | boolean | null>>): string {
  const { reason, ...rest } = exception;
  const fields = Object.entries(rest)
    .filter(([key]) => !isOmittedColumn(key))
    .map(([key, value]) => `${key}=${value === null ? 'null' : String(value)}`);
  return [reason === undefined || reason === null ? 'exception' : String(reason), fields.join(', ')].filter(Boolean).join(': ');
}
