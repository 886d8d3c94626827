import { AppError, ConflictError, NotFoundError } from '@app/http';

/**
 * The errors only the SCIM protocol routes raise, each with the `scimType` scim-http.ts gives its
 * code (RFC 7644 §3.12). They reach clients as SCIM error bodies on `/scim/v2`, never as problem
 * documents of a `/v1` operation, so no operation of the OpenAPI document lists them (the
 * completeness test passes over this file as over the framework's own errors).
 */
export const invalidFilter = (detail: string) => new AppError('validation', 'SCIM_INVALID_FILTER', detail);
export const invalidValue = (detail: string) => new AppError('validation', 'SCIM_INVALID_VALUE', detail);
export const invalidPath = (detail: string) => new AppError('validation', 'SCIM_INVALID_PATH', detail);
export const invalidSyntax = (detail: string) => new AppError('validation', 'SCIM_INVALID_SYNTAX', detail);
export const noTarget = (detail: string) => new AppError('validation', 'SCIM_NO_TARGET', detail);
export const tooMany = (detail: string) => new AppError('validation', 'SCIM_TOO_MANY', detail);
export const mutability = (detail: string) => new AppError('validation', 'SCIM_MUTABILITY', detail);
export const uniqueness = (detail: string) => new ConflictError('SCIM_UNIQUENESS', detail);
/** RFC 7644 §3.12: 403, the operation is not permitted to this client. */
export const domainNotVerified = () =>
  new AppError(
    'forbidden',
    'SCIM_DOMAIN_NOT_VERIFIED',
    "The userName's email domain is not a verified domain of this organization (POST /v1/sso/domains): SCIM creates and links accounts of verified domains only.",
  );
export const userNotFound = () => new NotFoundError('SCIM_USER_NOT_FOUND', 'No user with that id in this organization.');
export const resourceTypeNotFound = () => new NotFoundError('SCIM_RESOURCE_TYPE_NOT_FOUND', 'No such resource type.');
export const schemaNotFound = () => new NotFoundError('SCIM_SCHEMA_NOT_FOUND', 'No such schema.');

/** A SCIM request body must be a JSON object: a missing body, `null` or an array is invalidSyntax (400), never a 500. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidSyntax('The request body is a JSON object.');
  return body as Record<string, unknown>;
}
