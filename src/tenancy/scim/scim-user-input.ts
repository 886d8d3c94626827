import { isEmail } from 'class-validator';
import { PatchOperation, booleanOf } from './scim-patch';
import { invalidSyntax, invalidValue, mutability, requireObject } from './scim-protocol-errors';
import { SCIM_SCHEMAS } from './scim-schemas';

/** What a SCIM request may change on a user. Attributes we do not keep (title, phone numbers, extensions) are ignored. */
export interface UserChanges {
  readonly userName?: string;
  readonly externalId?: string | null;
  /** The full name, when the request gives enough to form one. */
  readonly name?: string;
  readonly active?: boolean;
}

const MAX_NAME = 200;
const MAX_EXTERNAL_ID = 255;

/** The request's JSON object (a missing body, `null` or an array is invalidSyntax, not a 500), naming `schema`. */
export function requireSchema(body: unknown, schema: string): Record<string, unknown> {
  const resource = requireObject(body);
  if (
    !Array.isArray(resource.schemas) ||
    !resource.schemas.some((name) => typeof name === 'string' && name.toLowerCase() === schema.toLowerCase())
  ) {
    throw invalidSyntax(`The resource names the schema ${schema} in "schemas".`);
  }
  return resource;
}

/** A created or replaced user (POST, PUT): `userName` is required; without `active`, a creation is active and a replacement leaves it. */
export function userFromResource(body: unknown): UserChanges & { userName: string } {
  const resource = requireSchema(body, SCIM_SCHEMAS.user);
  const fields = lowerKeys(resource);
  const userName = userNameOf(fields.username);
  const name = nameOf(fields.displayname, fields.name);
  return {
    userName,
    externalId: externalIdOf(fields.externalid),
    ...(name !== undefined ? { name } : {}),
    ...(fields.active !== undefined ? { active: booleanOf(fields.active, 'active') } : {}),
  };
}

/** The changes a PATCH makes to a user (RFC 7644 §3.5.2), in order; a later operation wins. */
export function userChangesFromPatch(operations: readonly PatchOperation[]): UserChanges {
  let changes: { -readonly [Key in keyof UserChanges]: UserChanges[Key] } = {};
  const nameParts: { given?: string; family?: string } = {};
  for (const operation of operations) {
    if (operation.path?.extension) continue;
    if (!operation.path) {
      if (operation.op === 'remove') continue;
      const value = operation.value;
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw invalidValue('A patch without a path carries an object.');
      const fields = lowerKeys(value as Record<string, unknown>);
      // Entra ID may send dotted names as keys: {"name.givenName": "Ada"}.
      if (fields['name.givenname'] !== undefined) nameParts.given = stringOf(fields['name.givenname'], 'name.givenName', MAX_NAME);
      if (fields['name.familyname'] !== undefined) nameParts.family = stringOf(fields['name.familyname'], 'name.familyName', MAX_NAME);
      const name = nameOf(fields.displayname ?? fields['name.formatted'], fields.name);
      changes = {
        ...changes,
        ...(fields.username !== undefined ? { userName: userNameOf(fields.username) } : {}),
        ...(fields.externalid !== undefined ? { externalId: externalIdOf(fields.externalid) } : {}),
        ...(fields.active !== undefined ? { active: booleanOf(fields.active, 'active') } : {}),
        ...(name !== undefined ? { name } : {}),
      };
      continue;
    }
    const { attribute, subAttribute } = operation.path;
    const remove = operation.op === 'remove';
    switch (attribute) {
      case 'active':
        if (remove) throw mutability('"active" cannot be removed; set it to false.');
        changes.active = booleanOf(operation.value, 'active');
        break;
      case 'username':
        if (remove) throw mutability('"userName" is required and cannot be removed.');
        changes.userName = userNameOf(operation.value);
        break;
      case 'externalid':
        changes.externalId = remove ? null : externalIdOf(operation.value);
        break;
      case 'displayname':
        if (!remove) changes.name = stringOf(operation.value, 'displayName', MAX_NAME);
        break;
      case 'name':
        if (remove) break;
        if (subAttribute === 'givenname') nameParts.given = stringOf(operation.value, 'name.givenName', MAX_NAME);
        else if (subAttribute === 'familyname') nameParts.family = stringOf(operation.value, 'name.familyName', MAX_NAME);
        else if (subAttribute === 'formatted') changes.name = stringOf(operation.value, 'name.formatted', MAX_NAME);
        else if (subAttribute === undefined) {
          const name = nameOf(undefined, operation.value);
          if (name !== undefined) changes.name = name;
        }
        break;
      default:
      // Attributes we do not keep: accepted and ignored, as identity providers send many.
    }
  }
  if (changes.name === undefined && nameParts.given !== undefined && nameParts.family !== undefined) {
    changes.name = `${nameParts.given} ${nameParts.family}`.trim().slice(0, MAX_NAME);
  }
  return changes;
}

function lowerKeys(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [key.replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/i, '').toLowerCase(), value]),
  );
}

function userNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidValue('"userName" is required: the email address the user signs in with.');
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !isEmail(email)) throw invalidValue('"userName" is an email address.');
  return email;
}

function externalIdOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return stringOf(value, 'externalId', MAX_EXTERNAL_ID);
}

function stringOf(value: unknown, attribute: string, max: number): string {
  if (typeof value !== 'string') throw invalidValue(`"${attribute}" is a string.`);
  if (value.length > max) throw invalidValue(`"${attribute}" is at most ${max} characters.`);
  return value.trim();
}

/** One full name from `displayName`, `name.formatted`, or `name.givenName` and `name.familyName` together. */
function nameOf(displayName: unknown, name: unknown): string | undefined {
  if (displayName !== undefined && displayName !== null) {
    const text = stringOf(displayName, 'displayName', MAX_NAME);
    if (text !== '') return text;
  }
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'object' || Array.isArray(name)) throw invalidValue('"name" is an object.');
  const parts = lowerKeys(name as Record<string, unknown>);
  if (parts.formatted !== undefined && parts.formatted !== null) {
    const text = stringOf(parts.formatted, 'name.formatted', MAX_NAME);
    if (text !== '') return text;
  }
  const given = parts.givenname === undefined || parts.givenname === null ? '' : stringOf(parts.givenname, 'name.givenName', MAX_NAME);
  const family = parts.familyname === undefined || parts.familyname === null ? '' : stringOf(parts.familyname, 'name.familyName', MAX_NAME);
  const full = `${given} ${family}`.trim().slice(0, MAX_NAME);
  return full === '' ? undefined : full;
}
