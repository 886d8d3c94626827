import { EntityManager, Knex } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../tenancy';
import { RetentionCategory } from './retention-categories';
import { CategoryPurge, PurgeCount, PurgeTarget, allMayBeDue, categoryPurges } from './retention-predicates';

/**
 * Counts (for the preview) and applies (for the job) one category's policy with the same
 * statement builder. Applying goes a batch at a time, each batch in its own transaction, so a
 * large backlog never holds long locks or one huge transaction, and a legal hold placed while
 * the job runs stops the batches after it.
 */
@Injectable()
export class RetentionPurger {
  private purges?: Record<RetentionCategory, CategoryPurge>;

  constructor(private readonly database: TenantDatabase) {}

  /** The rows the next run would act on now; runs in the caller's transaction for the org. */
  count(em: EntityManager, target: PurgeTarget): Promise<PurgeCount> {
    return this.first(em, this.purgeOf(em, target.category).count(target));
  }

  /** The targets that may have rows due, with one cheap statement for all of them. */
  async mayBeDue(em: EntityManager, targets: readonly PurgeTarget[]): Promise<PurgeTarget[]> {
    const tests = targets.map((target) => this.purgeOf(em, target.category).mayBeDue(target));
    const [row] = await em.execute<Record<string, boolean>[]>(allMayBeDue(em.getKnex(), tests));
    return targets.filter((_, index) => row[`due_${index}`]);
  }

  /**
   * Acts on every candidate, `batchSize` rows per transaction, until a batch comes back short;
   * `lease.assertHeld()` runs before each batch, so a job run that lost its lease stops there.
   */
  async purge(target: PurgeTarget, batchSize: number, lease?: { assertHeld(): void }): Promise<PurgeCount> {
    let count = 0;
    let cascadedActivities = 0;
    for (;;) {
      lease?.assertHeld();
      const batch = await this.database.forOrganization(target.orgId, (em) =>
        this.first(em, this.purgeOf(em, target.category).applyBatch(target, batchSize)),
      );
      count += batch.count;
      cascadedActivities += batch.cascadedActivities;
      if (batch.count < batchSize) return { count, cascadedActivities };
    }
  }

  private purgeOf(em: EntityManager, category: RetentionCategory): CategoryPurge {
    this.purges ??= categoryPurges(em.getMetadata(), em.getKnex());
    return this.purges[category];
  }

  private async first(em: EntityManager, statement: Knex.Raw): Promise<PurgeCount> {
    const [row] = await em.execute<{ count: number | string; cascaded: number | string }[]>(statement);
    return { count: Number(row?.count ?? 0), cascadedActivities: Number(row?.cascaded ?? 0) };
  }
}
