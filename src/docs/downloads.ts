import type { HeaderObject, MediaTypeObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/**
 * The operations that send a file (`StreamableFile`) rather than a JSON document. The ETag hook
 * hashes only JSON it serialises, so these carry no `ETag` and never answer 304; what they do send
 * is an attachment name and, for the signed files, the hashes and the key that signed them.
 */

export const DOWNLOAD_HEADERS: Record<string, HeaderObject> = {
  'Content-Disposition': {
    description: 'Always `attachment`, with the file name the client should save it under.',
    required: true,
    schema: { type: 'string', example: 'attachment; filename="summary.pdf"' },
  },
  'X-Content-SHA256': {
    description: 'The SHA-256 of the bytes sent, in hex.',
    required: true,
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
  'Content-Digest': {
    description: 'The same SHA-256 as an RFC 9530 `Content-Digest`: `sha-256=:`, the base64 of the hash, `:`.',
    required: true,
    schema: { type: 'string', pattern: '^sha-256=:[A-Za-z0-9+/]{43}=:$' },
  },
  'X-Signature-Key-Id': {
    description: 'The id of the signing key (`GET /.well-known/atrium-signing-keys.json`) whose signature covers this report.',
    required: true,
    schema: { type: 'string' },
  },
};

interface Download {
  readonly headers: readonly (keyof typeof DOWNLOAD_HEADERS)[];
  /** Replaces the scanned content of the success response, where the scan cannot tell one type from another. */
  readonly content?: Record<string, MediaTypeObject>;
}

const binary = { schema: { type: 'string', format: 'binary' } } as const;

const PERIOD: SchemaObject = {
  type: 'object',
  required: ['start', 'end'],
  properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time', description: 'Exclusive.' } },
};
const COMMON: Record<string, SchemaObject> = {
  reportId: { type: 'string', format: 'uuid' },
  orgId: { type: 'string', format: 'uuid' },
  period: PERIOD,
  generatedAt: { type: 'string', format: 'date-time' },
  keyId: { type: 'string', description: 'The signing key (`GET /v1/compliance/signing-key`).' },
  algorithm: { type: 'string', enum: ['ed25519'] },
};
const COUNT: SchemaObject = { type: 'integer', minimum: 0 };

/** `format=manifest`: canonical JSON, the bytes `format=signature` signs; each other file with its SHA-256. */
const REPORT_MANIFEST: SchemaObject = {
  type: 'object',
  title: 'manifest.json',
  required: [...Object.keys(COMMON), 'files'],
  properties: {
    ...COMMON,
    files: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'contentType', 'bytes', 'sha256'],
        properties: {
          name: { type: 'string', example: 'summary.pdf' },
          contentType: { type: 'string', example: 'application/pdf' },
          bytes: COUNT,
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        },
      },
    },
  },
};

/** `format=json`: the report's data, every evidence record of the period in full. */
const REPORT_DOCUMENT: SchemaObject = {
  type: 'object',
  title: 'report.json',
  required: [...Object.keys(COMMON), 'organizationName', 'kind', 'summary', 'evidence'],
  properties: {
    ...COMMON,
    organizationName: { type: 'string' },
    kind: { type: 'string', enum: ['monthly', 'on_demand'] },
    summary: {
      type: 'object',
      required: ['checks', 'passed', 'withExceptions', 'failed', 'populationTotal', 'exceptionTotal'],
      properties: { checks: COUNT, passed: COUNT, withExceptions: COUNT, failed: COUNT, populationTotal: COUNT, exceptionTotal: COUNT },
    },
    evidence: {
      type: 'array',
      items: { type: 'object', description: 'An evidence record, as `GET /v1/compliance/evidence/{id}` shows it.' },
    },
  },
};

const DOWNLOADS: Record<string, Download> = {
  exportAuditEvents: { headers: ['Content-Disposition'] },
  downloadPrivacyExport: { headers: ['Content-Disposition'] },
  downloadOrganizationExport: { headers: ['Content-Disposition', 'X-Content-SHA256'] },
  downloadReport: {
    headers: ['Content-Disposition', 'X-Content-SHA256', 'Content-Digest', 'X-Signature-Key-Id'],
    content: {
      'application/pdf': binary,
      'application/zip': binary,
      'application/json': { schema: { oneOf: [REPORT_DOCUMENT, REPORT_MANIFEST] } },
      'application/octet-stream': binary,
    },
  },
};

export function isDownload(operation: OperationObject): boolean {
  return operation.operationId !== undefined && operation.operationId in DOWNLOADS;
}

/** The headers and content types a download's success response actually has. */
export function completeDownload(operation: OperationObject, success: ResponseObject): void {
  const download = operation.operationId ? DOWNLOADS[operation.operationId] : undefined;
  if (!download) return;
  success.headers = {
    ...success.headers,
    ...Object.fromEntries(download.headers.map((name) => [name, { $ref: `#/components/headers/${name}` }])),
  };
  if (download.content) success.content = download.content;
}
