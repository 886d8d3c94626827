import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { ValidationError } from './app-error';

/** UUIDs compare case-insensitively; ids are stored and compared lower-case. */
const lowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/** A path parameter that must be a UUID: a malformed one is a 400 with a field error, never a 500 from the database. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(
    name,
    new ParseUUIDPipe({ exceptionFactory: () => new ValidationError([{ field: name, message: `${name} must be a UUID` }]) }),
    lowerCase,
  );
}
