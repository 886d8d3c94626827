import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';

/**
 * String length bounds counted in Unicode code points, as JSON Schema's `minLength`/`maxLength`
 * count them, so the server enforces exactly what the OpenAPI document says. class-validator's own
 * `MaxLength` (validator.js `isLength`) does not count variation selectors (U+FE0E, U+FE0F), so
 * `'a\ufe0f'.repeat(200)` passed a limit of 200 that the document states as 200 code points.
 * Same names and messages as class-validator's, so the Swagger plugin documents them the same way.
 */
const codePoints = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

export function MaxLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxLength',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && codePoints(value) <= max,
        defaultMessage: buildMessage((each) => `${each}$property must be shorter than or equal to $constraint1 characters`, options),
      },
    },
    options,
  );
}

export function MinLength(min: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'minLength',
      constraints: [min],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && codePoints(value) >= min,
        defaultMessage: buildMessage((each) => `${each}$property must be longer than or equal to $constraint1 characters`, options),
      },
    },
    options,
  );
}
