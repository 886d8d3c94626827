import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { RETENTION_CATEGORIES, RETENTION_CATEGORY_NAMES, RetentionCategory, isRetentionCategory } from './retention-categories';
import { EffectivePolicy, purgeTargetsOf, readEffectivePolicies } from './retention-policies';
import { PurgeTarget } from './retention-predicates';
import { RetentionPurger } from './retention-purger';
import {
  RetentionPolicyList,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewCategory,
  SetRetentionPolicyDto,
} from './dto/retention-policy.dto';

interface ActiveHold {
  id: string;
  scope: 'organization' | 'contact' | 'category';
  category: string | null;
}

/** Categories whose rows belong to a contact, so a contact hold keeps some of them. */
const CONTACT_CATEGORIES: readonly RetentionCategory[] = ['activities', 'inactive_contacts'];

@Injectable()
export class RetentionPoliciesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly purger: RetentionPurger,
  ) {}

  async list(): Promise<RetentionPolicyList> {
    const orgId = this.context.requireOrgId();
    const policies = await this.database.transaction((em) => readEffectivePolicies(em, orgId));
    return { data: policies.map(presentPolicy) };
  }

  async set(category: string, input: SetRetentionPolicyDto): Promise<RetentionPolicyView> {
    if (!isRetentionCategory(category)) {
      throw new ValidationError([{ field: 'category', message: `category must be one of: ${RETENTION_CATEGORY_NAMES.join(', ')}` }]);
    }
    const allowed: readonly string[] = RETENTION_CATEGORIES[category].actions;
    if (!allowed.includes(input.action)) {
      throw new ValidationError([{ field: 'action', message: `${category} allows the actions: ${allowed.join(', ')}` }]);
    }
    const definition = RETENTION_CATEGORIES[category] as { readonly minDays?: number };
    if (definition.minDays && input.durationDays < definition.minDays) {
      throw new ValidationError([{ field: 'durationDays', message: `${category} is kept at least ${definition.minDays} days` }]);
    }
    const { orgId, principal } = this.context.requireTenant();
    const policies = await this.database.transaction(async (em) => {
      await em.execute(
        `insert into retention_policies (org_id, category, duration_days, action, updated_at, updated_by) values (?, ?, ?, ?, now(), ?)
         on conflict (org_id, category) do update
           set duration_days = excluded.duration_days, action = excluded.action, updated_at = now(), updated_by = excluded.updated_by`,
        [orgId, category, input.durationDays, input.action, principal.id],
      );
      return readEffectivePolicies(em, orgId);
    });
    return presentPolicy(policies.find((policy) => policy.category === category) as EffectivePolicy);
  }

  /** What the job would do now, counted with the job's own statements (legal holds excluded). */
  async preview(): Promise<RetentionPreview> {
    const orgId = this.context.requireOrgId();
    const now = new Date();
    const categories = await this.database.transaction(async (em) => {
      const policies = await readEffectivePolicies(em, orgId);
      const holds = await em.execute<ActiveHold[]>(
        'select id, scope, category from legal_holds where org_id = ? and released_at is null order by id',
        [orgId],
      );
      const targets = new Map(purgeTargetsOf(orgId, policies, now).map((target) => [target.category, target]));
      const previews: RetentionPreviewCategory[] = [];
      for (const policy of policies) {
        const target = targets.get(policy.category) as PurgeTarget;
        const counted = await this.purger.count(em, target);
        const heldBy = holds.filter((hold) => holdsCategory(hold, policy.category)).map((hold) => hold.id);
        previews.push({
          category: policy.category,
          action: policy.action,
          durationDays: policy.durationDays,
          cutoff: target.cutoff.toISOString(),
          count: counted.count,
          ...(policy.category === 'inactive_contacts' && policy.action === 'delete'
            ? { cascadedActivities: counted.cascadedActivities }
            : {}),
          ...(heldBy.length > 0 ? { heldBy } : {}),
        });
      }
      return previews;
    });
    return { generatedAt: now.toISOString(), categories };
  }
}

function holdsCategory(hold: ActiveHold, category: RetentionCategory): boolean {
  if (hold.scope === 'organization') return true;
  if (hold.scope === 'category') return hold.category === category;
  return CONTACT_CATEGORIES.includes(category);
}

function presentPolicy(policy: EffectivePolicy): RetentionPolicyView {
  return {
    category: policy.category,
    description: policy.description,
    durationDays: policy.durationDays,
    action: policy.action,
    isDefault: policy.isDefault,
    allowedActions: [...policy.allowedActions],
    updatedAt: policy.updatedAt ? policy.updatedAt.toISOString() : null,
  };
}
