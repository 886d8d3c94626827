import { AppError, NotFoundError } from '@app/http';

/** The refusals both protocols' sign-ins answer with (OpenID Connect's callback, SAML's assertion consumer). */
export const noConnection = () =>
  new NotFoundError('SSO_CONNECTION_NOT_FOUND', 'No organization with an enabled SSO connection matches; sign in with your password.');

export const stateInvalid = () =>
  new AppError('validation', 'SSO_STATE_INVALID', 'This sign-in is unknown, expired or was completed already; start again.');

export const browserMismatch = () =>
  new AppError(
    'validation',
    'SSO_BROWSER_MISMATCH',
    'This sign-in was started in another browser (or its cookie is missing): start again in this browser.',
  );

export const emailNotAllowed = (detail: string) => new AppError('forbidden', 'SSO_EMAIL_NOT_ALLOWED', detail);
