import { Injectable } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { JOB_QUEUE_SCHEMA } from '../../database';

/**
 * Library internal: pg-boss's job table (`<schema>.job`: `state`, `retry_count`, `started_on`) and
 * what its fetch does to a row, for the one statement of ours on it. Run on pg-boss's own pool
 * (`boss.getDb()`), as its other statements are.
 *
 * Why: pg-boss has no call that returns a fetched item unstarted (below). pg-boss is pinned (10.4);
 * pg-boss-job-table.repository.spec.ts fails when the table or the fetch changes, and the give-back
 * e2e in job-fan-out.e2e-spec.ts runs the statement.
 */
@Injectable()
export class PgBossJobTable {
  /**
   * Puts items this instance fetched but never started back in the queue as they were before the
   * fetch, so any instance takes them at once and no attempt is counted. pg-boss has no call for
   * it: `fail` counts an attempt and waits out the retry delay; `cancel` then `resume` is two
   * statements (an instance dying between them leaves the item cancelled for good, never failed
   * over) and the next fetch still counts a retry. pg-boss's fetch set `state = 'active'`,
   * `started_on = now()` and, when the item had started before (`started_on` not null),
   * `retry_count + 1`; so an item with `retry_count = 0` had never started (back to `created`,
   * `started_on` null) and one with more was a retry (back to `retry`, one count fewer, its
   * `started_on` kept so the next fetch counts it again). Only items still active are touched:
   * one that expired meanwhile has been failed over by pg-boss already. Returns how many went back.
   */
  async giveBack(db: PgBoss.Db, queue: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rows } = await db.executeSql(
      `with given_back as (
         update ${JOB_QUEUE_SCHEMA}.job set
           state = (case when retry_count > 0 then 'retry' else 'created' end)::${JOB_QUEUE_SCHEMA}.job_state,
           retry_count = greatest(retry_count - 1, 0),
           started_on = case when retry_count > 0 then started_on end
         where name = $1 and id = any($2::uuid[]) and state = 'active'
         returning 1
       )
       select count(*)::int as n from given_back`,
      [queue, ids],
    );
    return (rows as { n: number }[])[0]?.n ?? 0;
  }
}
