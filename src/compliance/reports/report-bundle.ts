import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { EvidenceRecord } from '../evidence';
import { NO_ACTIVITY, resultLabel } from './control-catalogue';
import { evidenceZip } from './evidence-csv';
import { REPORT_FILES, ReportFile, ReportManifest, ReportMetadata, ReportSummary } from './report-files';
import { summaryPdf } from './summary-pdf';

export interface ReportBundle {
  readonly summary: ReportSummary;
  readonly manifest: ReportManifest;
  /** summary.pdf, evidence.zip, report.json and, last, manifest.json: the bytes the signature covers. */
  readonly files: readonly ReportFile[];
}

/**
 * Builds every file of a report from its evidence. manifest.json is JSON canonicalized by RFC 8785
 * (JCS), so an outside verifier can recompute its bytes from its content with any JCS
 * implementation; it is stored as a file all the same, and those stored bytes are what is signed
 * and downloaded. The evidence files come first: the PDF prints their SHA-256 (it cannot print its
 * own, nor the manifest's, which lists the PDF's).
 */
export async function buildReportBundle(metadata: ReportMetadata, evidence: readonly EvidenceRecord[]): Promise<ReportBundle> {
  const records = [...evidence].sort((a, b) => compare(a.checkId, b.checkId) || compare(a.id, b.id));
  const summary = summarize(records);
  const evidenceFiles = [
    fileOf(REPORT_FILES.csv, evidenceZip(records, metadata.generatedAt)),
    fileOf(REPORT_FILES.json, Buffer.from(`${JSON.stringify(reportDocument(metadata, summary, records), null, 2)}\n`, 'utf8')),
  ];
  const contents = [fileOf(REPORT_FILES.pdf, await summaryPdf(metadata, summary, records, evidenceFiles)), ...evidenceFiles];
  const manifest: ReportManifest = {
    reportId: metadata.reportId,
    orgId: metadata.orgId,
    period: periodOf(metadata),
    generatedAt: metadata.generatedAt.toISOString(),
    files: contents.map(({ name, contentType, content, sha256 }) => ({ name, contentType, bytes: content.length, sha256 })),
    keyId: metadata.keyId,
    algorithm: 'ed25519',
  };
  const manifestFile = fileOf(REPORT_FILES.manifest, Buffer.from(jcs(manifest), 'utf8'));
  return { summary, manifest, files: [...contents, manifestFile] };
}

/** RFC 8785 JSON Canonicalization Scheme. */
export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Not serializable as JSON');
  return text;
}

/** Code-unit order: the same on every machine, unlike a locale's collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function fileOf(file: { readonly name: string; readonly contentType: string }, content: Buffer): ReportFile {
  return { name: file.name, contentType: file.contentType, content, sha256: sha256Hex(content) };
}

function summarize(records: readonly EvidenceRecord[]): ReportSummary {
  const labels = records.map(resultLabel);
  const count = (label: string) => labels.filter((candidate) => candidate === label).length;
  return {
    checks: records.length,
    passed: count('pass'),
    withExceptions: count('exceptions'),
    failed: count('fail'),
    noActivity: count(NO_ACTIVITY),
    populationTotal: records.reduce((total, record) => total + record.populationCount, 0),
    exceptionTotal: records.reduce((total, record) => total + record.exceptions.length, 0),
  };
}

/** report.json: the report's metadata and every evidence record, populations and payload hashes included. */
function reportDocument(metadata: ReportMetadata, summary: ReportSummary, records: readonly EvidenceRecord[]) {
  return {
    reportId: metadata.reportId,
    orgId: metadata.orgId,
    organizationName: metadata.organizationName,
    kind: metadata.kind,
    period: periodOf(metadata),
    generatedAt: metadata.generatedAt.toISOString(),
    requestedBy: metadata.requestedBy,
    keyId: metadata.keyId,
    keyFingerprintSha256: metadata.keyFingerprint,
    algorithm: 'ed25519',
    summary,
    evidence: records.map((record) => ({
      ...record,
      periodStart: record.periodStart.toISOString(),
      periodEnd: record.periodEnd.toISOString(),
      collectedAt: record.collectedAt.toISOString(),
    })),
  };
}

function periodOf(metadata: ReportMetadata): { start: string; end: string } {
  return { start: metadata.period.start.toISOString(), end: metadata.period.end.toISOString() };
}
