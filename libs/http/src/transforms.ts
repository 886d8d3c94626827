import { Transform } from 'class-transformer';

/** Surrounding white space is never meaningful in names and labels. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Emails and host names compare case-insensitively, so they are stored lower-case. */
export const TrimLowerCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
