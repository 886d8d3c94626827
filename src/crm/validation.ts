import { ValidationOptions, registerDecorator } from 'class-validator';

export const CUSTOM_FIELDS_LIMITS = { maxKeys: 50, maxDepth: 3, maxBytes: 8 * 1024, keyPattern: /^[A-Za-z][A-Za-z0-9_]{0,63}$/ } as const;
export const TAG_LIMITS = { maxCount: 20, maxLength: 40, pattern: /^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$/u } as const;
/** E.164: a plus, a non-zero country code digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Why a customFields object is refused, or null when it is acceptable. */
export function customFieldsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const keys = Object.keys(value);
  if (keys.length > CUSTOM_FIELDS_LIMITS.maxKeys) return `may have at most ${CUSTOM_FIELDS_LIMITS.maxKeys} keys`;
  if (!keysAreValid(value)) return 'keys must start with a letter and use only letters, digits and _ (at most 64 characters)';
  if (depthOf(value) > CUSTOM_FIELDS_LIMITS.maxDepth) return `may nest at most ${CUSTOM_FIELDS_LIMITS.maxDepth} levels deep`;
  if (Buffer.byteLength(JSON.stringify(value)) > CUSTOM_FIELDS_LIMITS.maxBytes)
    return `may be at most ${CUSTOM_FIELDS_LIMITS.maxBytes} bytes as JSON`;
  return null;
}

function keysAreValid(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysAreValid);
  if (typeof value !== 'object' || value === null) return true;
  return Object.entries(value).every(([key, child]) => CUSTOM_FIELDS_LIMITS.keyPattern.test(key) && keysAreValid(child));
}

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Object.values(value as object);
  return 1 + (children.length ? Math.max(...children.map(depthOf)) : 0);
}

export function IsCustomFields(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCustomFields',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => customFieldsProblem(value) === null,
        defaultMessage: (args) => `customFields ${customFieldsProblem(args?.value) ?? 'is not valid'}`,
      },
    });
}
