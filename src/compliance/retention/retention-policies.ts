import {
  RETENTION_CATEGORIES,
  RETENTION_CATEGORY_NAMES,
  RetentionAction,
  RetentionCategory,
  isRetentionCategory,
} from './retention-categories';
import { RetentionPolicyRow } from './retention-policies.repository';
import { PurgeTarget } from './retention-predicates';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A category's policy as it applies to an org: its own setting, or the default. */
export interface EffectivePolicy {
  readonly category: RetentionCategory;
  readonly description: string;
  readonly durationDays: number;
  readonly action: RetentionAction;
  readonly isDefault: boolean;
  readonly allowedActions: readonly RetentionAction[];
  readonly updatedAt: Date | null;
}

/** Every category, in declaration order, with the org's setting (its stored rows) where it made one. */
export function effectivePoliciesOf(rows: readonly RetentionPolicyRow[]): EffectivePolicy[] {
  const stored = new Map(rows.filter((row) => isRetentionCategory(row.category)).map((row) => [row.category, row]));
  return RETENTION_CATEGORY_NAMES.map((category) => effectivePolicy(category, stored.get(category)));
}

function effectivePolicy(category: RetentionCategory, row: RetentionPolicyRow | undefined): EffectivePolicy {
  const definition = RETENTION_CATEGORIES[category];
  const allowedActions: readonly RetentionAction[] = definition.actions;
  // A stored action the category no longer allows (the code changed since) falls back to the default.
  const usable = row && allowedActions.includes(row.action) ? row : undefined;
  return {
    category,
    description: definition.description,
    durationDays: usable?.duration_days ?? definition.defaultDays,
    action: usable?.action ?? definition.defaultAction,
    isDefault: !usable,
    allowedActions,
    updatedAt: usable ? usable.updated_at : null,
  };
}

/**
 * The order the job applies categories in. Each predicate must still select, when its turn
 * comes, what the preview counted before anything ran: inactive contacts go first because their
 * predicate looks at activities (recent ones keep a contact active), which the activities purge
 * changes; the activities predicate already leaves out the activities deleted with contacts.
 */
const APPLY_ORDER: readonly RetentionCategory[] = [
  'inactive_contacts',
  'activities',
  'audit_events',
  'privacy_exports',
  'expired_invitations',
  'expired_idempotency_records',
];

/** What each policy reaches for an org at `now`, in the order the job applies them; the preview counts the same targets. */
export function purgeTargetsOf(orgId: string, policies: readonly EffectivePolicy[], now: Date): PurgeTarget[] {
  const byCategory = new Map(policies.map((policy) => [policy.category, policy]));
  const targetOf = (category: RetentionCategory): PurgeTarget => {
    const policy = byCategory.get(category);
    if (!policy) throw new Error(`No policy for ${category}`);
    return { orgId, category, action: policy.action, cutoff: cutoffOf(policy, now), now };
  };
  const contacts = targetOf('inactive_contacts');
  return APPLY_ORDER.map((category) =>
    category === 'activities' && contacts.action === 'delete' ? { ...targetOf(category), contactDeletion: contacts } : targetOf(category),
  );
}

/** Rows older than this are past the policy's retention period. */
export function cutoffOf(policy: EffectivePolicy, now: Date): Date {
  return new Date(now.getTime() - policy.durationDays * DAY_MS);
}
