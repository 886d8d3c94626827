import { Filter, parse } from 'scim2-parse-filter';
import { invalidPath, invalidSyntax, invalidValue, noTarget, requireObject, tooMany } from './scim-protocol-errors';
import { SCIM_SCHEMAS } from './scim-schemas';

/**
 * PATCH requests (RFC 7644 §3.5.2) as a list of operations with parsed paths. Identity providers
 * differ in the details, and these are taken as they send them: Entra ID capitalises `op`
 * (`"Replace"`) and sends booleans as strings (`"False"`); Okta sends `replace` without a path and
 * a partial resource as the value. What each operation does to a resource is the services' part.
 */

export type PatchOpKind = 'add' | 'replace' | 'remove';

export interface PatchPath {
  /** Lower-cased attribute of the core schema, without its URN: `name`, `members`, `active`. */
  readonly attribute: string;
  /** Lower-cased sub-attribute: `givenname` of `name.givenName`. */
  readonly subAttribute?: string;
  /** The value filter of `members[value eq "…"]`. */
  readonly filter?: Filter;
  /** An attribute of an extension schema (enterprise user, say): stored nowhere here, so ignored. */
  readonly extension: boolean;
}

export interface PatchOperation {
  readonly op: PatchOpKind;
  readonly path?: PatchPath;
  readonly value?: unknown;
}

const MAX_OPERATIONS = 1_000;
const PATH = /^(?:(urn:[^[\]]+):)?([A-Za-z][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/;
const CORE = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group)$/i;

export function parsePatchRequest(body: unknown): PatchOperation[] {
  const request = requireObject(body) as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(request.schemas) || !request.schemas.includes(SCIM_SCHEMAS.patchOp)) {
    throw invalidSyntax(`A PATCH request names the schema ${SCIM_SCHEMAS.patchOp}.`);
  }
  if (!Array.isArray(request.Operations) || request.Operations.length === 0) {
    throw invalidSyntax('A PATCH request carries a non-empty "Operations" array.');
  }
  if (request.Operations.length > MAX_OPERATIONS) {
    throw tooMany(`A PATCH request carries at most ${MAX_OPERATIONS} operations.`);
  }
  return request.Operations.map((raw, index) => parseOperation(raw, index));
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidSyntax(`Operation ${index} is not an object.`);
  const { op, path, value } = raw as { op?: unknown; path?: unknown; value?: unknown };
  const kind = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') {
    throw invalidSyntax(`Operation ${index}: "op" is one of add, replace, remove.`);
  }
  if (path !== undefined && typeof path !== 'string') throw invalidPath(`Operation ${index}: "path" is a string.`);
  if (kind === 'remove' && path === undefined) {
    throw noTarget(`Operation ${index}: a remove operation names a path.`);
  }
  if (kind !== 'remove' && value === undefined) throw invalidValue(`Operation ${index}: "${kind}" needs a value.`);
  return { op: kind, ...(path !== undefined ? { path: parsePath(path) } : {}), ...(value !== undefined ? { value } : {}) };
}

export function parsePath(path: string): PatchPath {
  const match = PATH.exec(path.trim());
  if (!match) throw invalidPath(`"${path.slice(0, 100)}" is not a SCIM attribute path.`);
  const [, schema, attribute, filterText, subAttribute] = match;
  let filter: Filter | undefined;
  if (filterText !== undefined) {
    try {
      filter = parse(filterText);
    } catch {
      throw invalidPath(`The filter of "${path.slice(0, 100)}" is not valid SCIM filter syntax.`);
    }
  }
  return {
    attribute: attribute.toLowerCase(),
    ...(subAttribute ? { subAttribute: subAttribute.toLowerCase() } : {}),
    ...(filter ? { filter } : {}),
    extension: schema !== undefined && !CORE.test(schema),
  };
}

/** A boolean as Okta (`false`) or Entra ID (`"False"`) sends it. */
export function booleanOf(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`"${attribute}" is a boolean.`);
}
