import { AppError, ConflictError, NotFoundError } from '@app/http';

export const privacyRequestNotFound = () =>
  new NotFoundError('PRIVACY_REQUEST_NOT_FOUND', 'No privacy request with that id in this organization.');

export const privacyExportNotFound = (reason: string) => new NotFoundError('PRIVACY_EXPORT_NOT_FOUND', reason);

export const privacyExportNotReady = () =>
  new ConflictError('PRIVACY_EXPORT_NOT_READY', 'The export is still being prepared; try again once the request is completed.');

export const privacyExportExpired = () =>
  new AppError('gone', 'PRIVACY_EXPORT_EXPIRED', 'The export has expired or was deleted; create a new access request.');

export const erasureCertificateNotFound = (reason: string) => new NotFoundError('ERASURE_CERTIFICATE_NOT_FOUND', reason);

export const privacyRequestNotCompleted = () =>
  new ConflictError('PRIVACY_REQUEST_NOT_COMPLETED', 'The erasure is not completed yet; its certificate follows completion.');

export const privacyRequestNotPending = () =>
  new ConflictError('PRIVACY_REQUEST_NOT_PENDING', 'Only a pending request can be rejected; this one is being or has been handled.');

export const privacyRequestClosed = () =>
  new ConflictError('PRIVACY_REQUEST_CLOSED', 'The request is completed or rejected; its deadline can no longer be extended.');

export const privacyExtensionLimitReached = (left: number) =>
  new ConflictError(
    'PRIVACY_EXTENSION_LIMIT_REACHED',
    `GDPR Art. 12(3) allows at most two further months in total; ${left} month(s) remain for this request.`,
  );

export const privacyExtensionTooLate = () =>
  new ConflictError(
    'PRIVACY_EXTENSION_TOO_LATE',
    'An extension must be decided, and the data subject told, within one month of receipt (GDPR Art. 12(3)); that month has passed.',
  );
