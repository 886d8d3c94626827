import type { FieldError } from './app-error';

/**
 * Limits on client JSON, checked before anything recursive (class-transformer, class-validator,
 * the jsonb driver) sees it.
 */

/** Deeper than any Atrium body needs (custom fields are flat); far below any stack limit. */
export const MAX_JSON_DEPTH = 32;

/** A client gets at most this many field errors for bad strings; one is enough to fix the request. */
const MAX_REPORTED_PATHS = 20;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects and arrays deeper than `limit`: one pass over the characters,
 * skipping string contents, without parsing. Malformed text is left to the parser to refuse.
 */
export function jsonNestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** A string PostgreSQL and the validators can hold: no lone UTF-16 surrogate, no NUL. */
export function isStorableString(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

const NOT_STORABLE_STRING = 'must be well-formed Unicode without NUL characters';
const NOT_FINITE = 'must be a finite number';

/**
 * Field errors for what PostgreSQL and the validators cannot take in `value`: strings (keys or
 * values) with a lone surrogate or NUL, and numbers JSON.parse turned into Infinity (`1e999`),
 * which would be stored as null. Iterative, so a deep value cannot overflow the stack; only objects
 * and arrays go on the stack, and a path is built only for those and for a value found wanting, so
 * a large array of numbers costs one pass. Stops after a few errors.
 */
export function unstorableValueErrors(value: unknown, root = ''): FieldError[] {
  const found: FieldError[] = [];
  const stack: Array<[object, string]> = [];
  const visit = (item: unknown, path: string) => {
    if (typeof item === 'string') {
      if (!isStorableString(item)) found.push({ field: path || 'value', message: `${path || 'value'} ${NOT_STORABLE_STRING}` });
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) found.push({ field: path || 'value', message: `${path || 'value'} ${NOT_FINITE}` });
    } else if (item !== null && typeof item === 'object') {
      stack.push([item, path]);
    }
  };
  visit(value, root);
  while (stack.length > 0 && found.length < MAX_REPORTED_PATHS) {
    const [node, path] = stack.pop()!;
    const prefix = path ? `${path}.` : '';
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (item !== null && typeof item !== 'boolean' && (typeof item !== 'number' || !Number.isFinite(item)))
          visit(item, `${prefix}${i}`);
      }
    } else {
      for (const key of Object.keys(node)) {
        if (isStorableString(key)) visit((node as Record<string, unknown>)[key], `${prefix}${key}`);
        else found.push({ field: `${prefix}${safeKey(key)}`, message: `${prefix}${safeKey(key)} ${NOT_STORABLE_STRING}` });
      }
    }
  }
  return found.slice(0, MAX_REPORTED_PATHS);
}

/** A key is echoed in the error: an ill-formed one is shown escaped, so the response itself stays valid. */
function safeKey(key: string): string {
  return isStorableString(key) ? key : key.toWellFormed().replaceAll('\u0000', '\uFFFD');
}
