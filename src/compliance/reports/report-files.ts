import { EvidencePeriod } from '../evidence';

/** The files of a report bundle, by the `format` a client downloads them with. */
export const REPORT_FILES = {
  pdf: { name: 'summary.pdf', contentType: 'application/pdf' },
  csv: { name: 'evidence.zip', contentType: 'application/zip' },
  json: { name: 'report.json', contentType: 'application/json; charset=utf-8' },
  manifest: { name: 'manifest.json', contentType: 'application/json; charset=utf-8' },
} as const;

/** The detached Ed25519 signature of manifest.json: the raw 64 bytes, as `openssl pkeyutl -sigfile` reads them. */
export const SIGNATURE_FILE = { name: 'manifest.json.sig', contentType: 'application/octet-stream' } as const;

export type ReportFileFormat = keyof typeof REPORT_FILES;
export const DOWNLOAD_FORMATS = [...(Object.keys(REPORT_FILES) as ReportFileFormat[]), 'signature'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export type ReportKind = 'monthly' | 'on_demand';

export interface ReportFile {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Hex. */
  readonly sha256: string;
}

/** What the signature covers: every other file of the bundle by name, size and SHA-256. */
export interface ReportManifest {
  readonly reportId: string;
  readonly orgId: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly generatedAt: string;
  readonly files: readonly { readonly name: string; readonly contentType: string; readonly bytes: number; readonly sha256: string }[];
  readonly keyId: string;
  readonly algorithm: 'ed25519';
}

/** Headline figures of a report, kept on its row for lists. */
export interface ReportSummary {
  readonly checks: number;
  readonly passed: number;
  readonly withExceptions: number;
  readonly failed: number;
  /** Passed with an empty population: nothing happened that the control governs. Not counted in `passed`. */
  readonly noActivity: number;
  readonly populationTotal: number;
  readonly exceptionTotal: number;
}

export interface ReportMetadata {
  readonly reportId: string;
  readonly orgId: string;
  readonly organizationName: string;
  readonly kind: ReportKind;
  readonly period: EvidencePeriod;
  readonly generatedAt: Date;
  /** Who asked for the report, as the PDF names them. */
  readonly requestedBy: string;
  readonly keyId: string;
  /** SHA-256 of the signing key's SPKI DER, hex. */
  readonly keyFingerprint: string;
}
