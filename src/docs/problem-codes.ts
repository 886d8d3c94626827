import { OperationFacts, singular } from './operations';

/**
 * The `code`s an operation can answer with, per status, so that generated clients get an enum
 * instead of a string. Three sources, united: what every operation of the kind can answer (the
 * guards, the validation pipe, the body parser, the problem filter), the codes a controller names
 * in backticks in a response description, and the table below for what neither says.
 */

/** What the framework and the shared guards answer, whatever the operation does. */
function genericCodes(status: number, facts: OperationFacts): string[] {
  switch (status) {
    case 400:
      return [
        'VALIDATION_FAILED',
        ...(facts.hasPathParams ? ['MALFORMED_URL'] : []),
        ...(facts.hasBody ? ['MALFORMED_JSON', 'BODY_TOO_DEEP', 'BAD_REQUEST'] : []),
      ];
    case 401:
      return ['UNAUTHENTICATED', 'INVALID_CREDENTIALS'];
    case 403:
      return [
        ...(facts.access.kind !== 'authenticated' || facts.access.permission || facts.access.sessionOnly ? ['FORBIDDEN'] : []),
        ...(facts.access.kind === 'authenticated' && !facts.access.beforeMfa ? ['MFA_ENROLMENT_REQUIRED'] : []),
      ];
    case 404:
      return facts.pathParam ? [notFoundCode(facts.pathParam.owner)] : [];
    case 412:
      return ['PRECONDITION_FAILED'];
    case 413:
      return ['PAYLOAD_TOO_LARGE'];
    case 414:
      return ['URI_TOO_LONG'];
    case 415:
      return ['UNSUPPORTED_MEDIA_TYPE'];
    case 422:
      return facts.idempotent ? ['IDEMPOTENCY_KEY_REUSED'] : [];
    case 429:
      return ['RATE_LIMITED'];
    case 500:
      return ['INTERNAL_ERROR', 'TENANT_MISMATCH', 'ROUTE_ACCESS_UNDECLARED'];
    case 503:
      return ['SERVICE_UNAVAILABLE', 'SESSIONS_UNAVAILABLE'];
    default:
      return [];
  }
}

/** `/v1/contacts/{id}` → CONTACT_NOT_FOUND: the services name a missing resource after its collection. */
export function notFoundCode(collection: string): string {
  return `${singular(collection)
    .replace(/[-\s]+/g, '_')
    .toUpperCase()}_NOT_FOUND`;
}

const PRIVACY_REQUEST = { 404: ['PRIVACY_REQUEST_NOT_FOUND'] };

/** Codes (and statuses) an operation answers that neither the conventions nor its descriptions name. */
export const OPERATION_CODES: Readonly<Record<string, Readonly<Record<number, readonly string[]>>>> = {
  login: { 403: ['FORBIDDEN'], 404: ['ORGANIZATION_NOT_FOUND'] },
  switchOrganization: { 404: ['ORGANIZATION_NOT_FOUND'] },
  createOrganization: { 422: ['ORGANIZATION_LIMIT_REACHED'] },
  changePassword: { 400: ['WRONG_PASSWORD'] },
  completeMfaLogin: { 404: ['ORGANIZATION_NOT_FOUND'] },
  confirmTotpEnrolment: { 400: ['MFA_CODE_INVALID'] },
  verifyMfaSession: { 400: ['MFA_CODE_INVALID'] },
  disableMfa: { 400: ['MFA_CODE_INVALID'] },
  regenerateRecoveryCodes: { 400: ['MFA_CODE_INVALID'] },
  acceptInvitation: { 401: ['INVALID_CREDENTIALS'], 404: ['INVITATION_NOT_FOUND'], 409: ['ALREADY_MEMBER'] },
  getOrganization: { 404: ['ORGANIZATION_NOT_FOUND'] },
  updateOrganization: { 404: ['ORGANIZATION_NOT_FOUND'] },
  getPrivacyRequest: PRIVACY_REQUEST,
  extendPrivacyRequest: PRIVACY_REQUEST,
  rejectPrivacyRequest: PRIVACY_REQUEST,
  downloadPrivacyExport: PRIVACY_REQUEST,
  getErasureCertificate: PRIVACY_REQUEST,
  downloadReport: { 404: ['REPORT_FILE_NOT_FOUND'] },
  getMetrics: { 401: ['UNAUTHENTICATED'], 404: ['METRICS_NOT_EXPOSED'] },
};

/** The codes of the shared response of `status` (`#/components/responses/...`), used by every operation whose codes are just these. */
export function sharedCodes(status: number): string[] {
  const facts: OperationFacts = {
    access: { kind: 'undeclared' },
    isV1: true,
    hasPathParams: false,
    hasQueryParams: false,
    hasBody: false,
    idempotent: true,
    conditional: false,
  };
  return [...new Set(genericCodes(status, facts))].sort();
}

/** Every code `status` of the operation can carry, sorted. */
export function problemCodes(status: number, facts: OperationFacts, operationId: string | undefined, description = ''): string[] {
  const named = [...description.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]);
  const listed = operationId ? (OPERATION_CODES[operationId]?.[status] ?? []) : [];
  // A 404 the operation names itself replaces the code guessed from the path.
  const generic = status === 404 && named.length + listed.length > 0 ? [] : genericCodes(status, facts);
  return [...new Set([...generic, ...named, ...listed])].sort();
}
