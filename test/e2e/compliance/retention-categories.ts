/** The retention categories in the order the API lists them, written out so the suites check the API against it. */
export const CATEGORIES = [
  'activities',
  'inactive_contacts',
  'audit_events',
  'privacy_exports',
  'expired_invitations',
  'expired_idempotency_records',
];
