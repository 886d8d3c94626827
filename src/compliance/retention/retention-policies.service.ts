import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/http';
import { RequestContext } from '@app/request-context';
import { TenantDatabase } from '../../tenancy';
import { RETENTION_CATEGORIES, RETENTION_CATEGORY_NAMES, RetentionCategory, isRetentionCategory } from './retention-categories';
import { ActiveHold, LegalHoldsRepository } from './legal-holds.repository';
import { EffectivePolicy, effectivePoliciesOf, purgeTargetsOf } from './retention-policies';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { PurgeTarget } from './retention-predicates';
import { RetentionPurger } from './retention-purger.service';
import {
  RetentionPolicyList,
  RetentionPolicyView,
  RetentionPreview,
  RetentionPreviewCategory,
  SetRetentionPolicyDto,
} from './dto/retention-policy.dto';

/** Categories whose rows belong to a contact, so a contact hold keeps some of them. */
const CONTACT_CATEGORIES: readonly RetentionCategory[] = ['activities', 'inactive_contacts'];

@Injectable()
export class RetentionPoliciesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly purger: RetentionPurger,
    private readonly policies: RetentionPoliciesRepository,
    private readonly holds: LegalHoldsRepository,
  ) {}

  async list(): Promise<RetentionPolicyList> {
    const orgId = this.context.requireOrgId();
    const policies = await this.database.transaction((em) => this.effectivePolicies(em, orgId));
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
      await this.policies.upsert(em, orgId, { category, durationDays: input.durationDays, action: input.action, updatedBy: principal.id });
      return this.effectivePolicies(em, orgId);
    });
    return presentPolicy(policies.find((policy) => policy.category === category) as EffectivePolicy);
  }

  /** What the job would do now, counted with the job's own statements (legal holds excluded). */
  async preview(): Promise<RetentionPreview> {
    const orgId = this.context.requireOrgId();
    const now = new Date();
    const categories = await this.database.transaction(async (em) => {
      const policies = await this.effectivePolicies(em, orgId);
      const holds = await this.holds.active(em, orgId);
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

  private async effectivePolicies(em: EntityManager, orgId: string): Promise<EffectivePolicy[]> {
    return effectivePoliciesOf(await this.policies.stored(em, orgId));
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
