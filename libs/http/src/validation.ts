import { ArgumentMetadata, ValidationPipe, ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidateBy, ValidateIf } from 'class-validator';
import { FieldError, ValidationError } from './app-error';
import { unstorableValueErrors } from './json-limits';

/** Flattens class-validator's nested errors into `{ field: 'a.b.0', message }` pairs. */
export function toFieldErrors(errors: readonly ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith(`property ${error.property} `) ? 'is not an allowed field' : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * PostgreSQL text and jsonb cannot hold NUL or a lone surrogate, so one anywhere in a query or path
 * value is a field error here rather than a 500 from the database later (bodies are checked as
 * they are parsed, see json-body-parser.ts).
 */
class AtriumValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const errors = unstorableValueErrors(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (errors.length > 0) throw new ValidationError(errors);
    }
    return super.transform(value, metadata);
  }
}

/** Unknown fields are rejected, known ones converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new AtriumValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError(toFieldErrors(errors)),
  });
}

/**
 * For PATCH fields that may be left out but not cleared: unlike `@IsOptional()`, a `null` is still
 * validated (and refused by the field's type validator).
 */
export function OmittableNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** Dates PostgreSQL `timestamptz` stores comfortably; a far-off year is a client bug, not a 500. */
export const EARLIEST_DATE = new Date('1900-01-01T00:00:00Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59Z');

/** Checks only dates: a value that is not one already fails the field's type check, with its own message. */
export function WithinStorableDates(): PropertyDecorator {
  return (target, property) => {
    const bound = (name: string, inRange: (date: Date) => boolean, message: string) =>
      ValidateBy({ name, validator: { validate: (value) => !(value instanceof Date) || inRange(value) } }, { message })(target, property);
    bound('minDate', (date) => date >= EARLIEST_DATE, `${String(property)} must not be before 1900`);
    bound('maxDate', (date) => date <= LATEST_DATE, `${String(property)} must not be after 9999`);
  };
}
