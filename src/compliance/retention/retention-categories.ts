/**
 * The data categories retention policies govern, with defaults that suit a B2B SaaS processor.
 * An org overrides them with `PUT /v1/retention-policies/{category}`. The personal-data
 * declarations (`@PersonalData({ retention })`) name these categories, so the Art. 30 record
 * can say how long each field is kept.
 */
export const RETENTION_CATEGORIES = {
  activities: {
    description: 'Activities (notes, calls, emails, meetings) by the time they occurred',
    defaultDays: 3 * 365,
    defaultAction: 'delete',
    actions: ['delete', 'anonymise'],
  },
  inactive_contacts: {
    description: 'Contacts not updated, and with no activity occurring or recorded, for the period (deleting one deletes its activities)',
    defaultDays: 3 * 365,
    defaultAction: 'anonymise',
    actions: ['delete', 'anonymise'],
  },
  audit_events: {
    description:
      'Audit events by age: the oldest part of the chain goes, and the chain verifies from its new start (the newest signed checkpoint’s event is kept)',
    defaultDays: 7 * 365,
    // An admin must not be able to shorten the evidence of what admins did to nothing.
    minDays: 365,
    defaultAction: 'delete',
    actions: ['delete'],
  },
  privacy_exports: {
    description: 'Access-request exports after they were produced, or as soon as their download deadline has passed',
    defaultDays: 30,
    defaultAction: 'delete',
    actions: ['delete'],
  },
  expired_invitations: {
    description: 'Invitations past their expiry, revoked or accepted',
    defaultDays: 30,
    defaultAction: 'delete',
    actions: ['delete'],
  },
  expired_idempotency_records: {
    description: 'Idempotency records (stored responses) past their 24-hour window',
    defaultDays: 1,
    defaultAction: 'delete',
    actions: ['delete'],
  },
} as const satisfies Record<
  string,
  { description: string; defaultDays: number; minDays?: number; defaultAction: RetentionAction; actions: readonly RetentionAction[] }
>;

export type RetentionAction = 'delete' | 'anonymise';
export type RetentionCategory = keyof typeof RETENTION_CATEGORIES;
export const RETENTION_CATEGORY_NAMES = Object.keys(RETENTION_CATEGORIES) as RetentionCategory[];

export function isRetentionCategory(value: string): value is RetentionCategory {
  return Object.prototype.hasOwnProperty.call(RETENTION_CATEGORIES, value);
}
