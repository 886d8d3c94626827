import { Filter, filter as matches } from 'scim2-parse-filter';
import { PatchOperation } from './scim-patch';
import { invalidValue, mutability, tooMany } from './scim-protocol-errors';
import { SCIM_SCHEMAS } from './scim-schemas';
import { requireSchema } from './scim-user-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DISPLAY_NAME = 200;
const MAX_EXTERNAL_ID = 255;
export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** A created or replaced group (POST, PUT). */
export interface GroupInput {
  readonly displayName: string;
  readonly externalId: string | null;
  readonly members: string[];
}

/** What a PATCH does to a group: the scalar changes and the member ids it ends with, computed from the current ones. */
export interface GroupChanges {
  readonly displayName?: string;
  readonly externalId?: string | null;
  readonly members?: Set<string>;
}

export function groupFromResource(body: unknown): GroupInput {
  const resource = lowerKeys(requireSchema(body, SCIM_SCHEMAS.group));
  return {
    displayName: displayNameOf(resource.displayname),
    externalId: resource.externalid === undefined || resource.externalid === null ? null : externalIdOf(resource.externalid),
    members: resource.members === undefined || resource.members === null ? [] : memberIdsOf(resource.members),
  };
}

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to the group's current member ids, in order: `add`
 * and `replace` of `members` with a list, `remove` of `members[value eq "…"]` (Okta), of `members`
 * with a list of values (Entra ID) or of all `members`; `displayName` and `externalId` with or
 * without a path.
 */
export function groupChangesFromPatch(operations: readonly PatchOperation[], currentMembers: readonly string[]): GroupChanges {
  let displayName: string | undefined;
  let externalId: string | null | undefined;
  let members: Set<string> | undefined;
  const working = () => (members ??= new Set(currentMembers));
  for (const operation of operations) {
    if (operation.path?.extension) continue;
    if (!operation.path) {
      if (operation.op === 'remove') continue;
      const value = operation.value;
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw invalidValue('A patch without a path carries an object.');
      const fields = lowerKeys(value as Record<string, unknown>);
      if (fields.displayname !== undefined) displayName = displayNameOf(fields.displayname);
      if (fields.externalid !== undefined) externalId = fields.externalid === null ? null : externalIdOf(fields.externalid);
      if (fields.members !== undefined) {
        const ids = memberIdsOf(fields.members);
        if (operation.op === 'replace') members = new Set(ids);
        else for (const id of ids) working().add(id);
      }
      continue;
    }
    const { attribute, subAttribute, filter } = operation.path;
    switch (attribute) {
      case 'displayname':
        if (operation.op === 'remove') throw mutability('"displayName" is required and cannot be removed.');
        displayName = displayNameOf(operation.value);
        break;
      case 'externalid':
        externalId = operation.op === 'remove' ? null : externalIdOf(operation.value);
        break;
      case 'members': {
        if (subAttribute !== undefined && subAttribute !== 'value') throw invalidValue(`Members have no changeable "${subAttribute}".`);
        if (operation.op === 'remove') {
          const set = working();
          if (filter) {
            const test = matches(lowerCaseIds(filter));
            for (const id of [...set]) if (test({ value: id, type: 'User' })) set.delete(id);
          } else if (operation.value !== undefined) {
            for (const id of memberIdsOf(operation.value)) set.delete(id);
          } else set.clear();
        } else if (filter) {
          throw invalidValue('Members are added or replaced with a list, not through a filter.');
        } else if (operation.op === 'replace') {
          members = new Set(memberIdsOf(operation.value));
        } else {
          const set = working();
          for (const id of memberIdsOf(operation.value)) set.add(id);
        }
        break;
      }
      default:
      // Attributes we do not keep are accepted and ignored.
    }
  }
  return {
    ...(displayName !== undefined ? { displayName } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
    ...(members !== undefined ? { members } : {}),
  };
}

/** Member ids are UUIDs, stored lower-case: a filter naming one in capitals still means it. */
function lowerCaseIds(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { ...filter, filters: filter.filters.map(lowerCaseIds) };
    case 'not':
      return { ...filter, filter: lowerCaseIds(filter.filter) };
    case '[]':
      return { ...filter, valFilter: lowerCaseIds(filter.valFilter) };
    case 'pr':
      return filter;
    default:
      return typeof filter.compValue === 'string' ? { ...filter, compValue: filter.compValue.toLowerCase() } : filter;
  }
}

function lowerKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [key.replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/i, '').toLowerCase(), value]),
  );
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidValue('"displayName" is a non-empty string.');
  if (value.length > MAX_DISPLAY_NAME) throw invalidValue(`"displayName" is at most ${MAX_DISPLAY_NAME} characters.`);
  return value.trim();
}

function externalIdOf(value: unknown): string {
  if (typeof value !== 'string') throw invalidValue('"externalId" is a string.');
  if (value.length > MAX_EXTERNAL_ID) throw invalidValue(`"externalId" is at most ${MAX_EXTERNAL_ID} characters.`);
  return value;
}

/** `[{ "value": "<user id>" }, …]` (a single object is taken as a list of one, as some providers send). */
function memberIdsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_MEMBERS_PER_REQUEST) {
    throw tooMany(`At most ${MAX_MEMBERS_PER_REQUEST} members per request.`);
  }
  return list.map((member) => {
    const id = member !== null && typeof member === 'object' ? (member as { value?: unknown }).value : undefined;
    if (typeof id !== 'string' || !UUID.test(id)) throw invalidValue('Each member is {"value": "<user id>"} with the id of a user.');
    return id.toLowerCase();
  });
}
