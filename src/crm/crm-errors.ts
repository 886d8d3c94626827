import { FieldError, NotFoundError, ValidationError } from '@app/http';

export const contactNotFound = () => new NotFoundError('CONTACT_NOT_FOUND', 'No contact with that id in this organization.');
export const companyNotFound = () => new NotFoundError('COMPANY_NOT_FOUND', 'No company with that id in this organization.');
export const activityNotFound = () => new NotFoundError('ACTIVITY_NOT_FOUND', 'No activity with that id in this organization.');

/** PATCH may clear optional fields with null, but never required ones. */
export function rejectNulls(changes: object, required: readonly string[]): void {
  const errors: FieldError[] = required
    .filter((field) => (changes as Record<string, unknown>)[field] === null)
    .map((field) => ({ field, message: `${field} cannot be null` }));
  if (errors.length > 0) throw new ValidationError(errors);
}
