import { MetadataStorage } from '@mikro-orm/postgresql';
import { RetentionAction, RetentionCategory } from './retention-categories';
import { personalDataErasure } from './personal-data-erasure';
import { SqlFragment, raw, sql } from './retention-sql';

/** One category's policy applied to one org at one moment. */
export interface PurgeTarget {
  readonly orgId: string;
  readonly category: RetentionCategory;
  readonly action: RetentionAction;
  /** Rows older than this are past retention. */
  readonly cutoff: Date;
  /** The run's (or preview's) clock, for deadlines stored as absolute times. */
  readonly now: Date;
  /**
   * For activities: the inactive_contacts target when that policy deletes contacts. Their
   * activities go with them (counted there as cascaded), so they are not counted here too.
   */
  readonly contactDeletion?: PurgeTarget;
}

/** What a statement did, or would do: rows of the category, and activities that go with deleted contacts. */
export interface PurgeCount {
  readonly count: number;
  readonly cascadedActivities: number;
}

/**
 * The one definition of what retention reaches, per category: `candidates` selects the keys of
 * the rows past retention with legal holds excluded in the same SQL, and both the preview (which
 * counts them) and the job (which acts on them, a batch at a time) use it, so the counts the
 * preview shows are what the job does. Each batch shrinks the candidate set (rows are deleted,
 * or anonymised and so excluded), so the job's loop ends.
 */
export interface CategoryPurge {
  /**
   * A cheap test, true whenever there are candidates (and sometimes when there are none): most
   * orgs have nothing due on most nights, and this spares them the full count.
   */
  mayBeDue(target: PurgeTarget): SqlFragment;
  candidates(target: PurgeTarget): SqlFragment;
  /** Counts the candidates; a statement returning one row `{ count, cascaded }`. */
  count(target: PurgeTarget): SqlFragment;
  /** Applies the action to at most `limit` candidates; a statement returning one row `{ count, cascaded }`. */
  applyBatch(target: PurgeTarget, limit: number): SqlFragment;
}

/** Holds that stop the whole category for the org: an organization-wide hold or one on this category. */
function notHeld(target: PurgeTarget): SqlFragment {
  return sql`not exists (select 1 from legal_holds h where h.org_id = ${target.orgId} and h.released_at is null
    and (h.scope = 'organization' or (h.scope = 'category' and h.category = ${target.category})))`;
}

/** A contact hold keeps the contact and everything recorded about it. */
function contactNotHeld(target: PurgeTarget, contactIdColumn: string): SqlFragment {
  return sql`not exists (select 1 from legal_holds ch where ch.org_id = ${target.orgId} and ch.released_at is null
    and ch.scope = 'contact' and ch.contact_id = ${raw(contactIdColumn)})`;
}

function countOf(candidates: SqlFragment): SqlFragment {
  return sql`select count(*)::int as count, 0 as cascaded from (${candidates}) candidates`;
}

/** DELETE or UPDATE of the first `limit` candidates by primary key. */
function batchOf(statement: SqlFragment, candidates: SqlFragment, limit: number): SqlFragment {
  return sql`with done as (${statement} and id in (${candidates} limit ${limit}) returning 1)
    select count(*)::int as count, 0 as cascaded from done`;
}

function activities(metadata: MetadataStorage, contacts: CategoryPurge): CategoryPurge {
  const candidates = (target: PurgeTarget) => {
    const erased = personalDataErasure(metadata, 'Activity', 'activities', 'a');
    const deletedWithContact = target.contactDeletion
      ? sql`and a.contact_id not in (${contacts.candidates(target.contactDeletion)})`
      : raw('');
    return sql`select a.id from activities a where a.org_id = ${target.orgId} and a.occurred_at < ${target.cutoff}
      and ${notHeld(target)} and ${contactNotHeld(target, 'a.contact_id')} ${deletedWithContact}
      ${target.action === 'anonymise' ? sql`and not (${erased.isErased})` : raw('')}`;
  };
  return {
    mayBeDue: (target) => sql`exists (select 1 from activities where org_id = ${target.orgId} and occurred_at < ${target.cutoff})`,
    candidates,
    count: (target) => countOf(candidates(target)),
    applyBatch: (target, limit) => {
      const statement =
        target.action === 'delete'
          ? sql`delete from activities where org_id = ${target.orgId}`
          : sql`update activities set ${personalDataErasure(metadata, 'Activity', 'activities', 'a').assignments},
              updated_at = now(), version = version + 1 where org_id = ${target.orgId}`;
      return batchOf(statement, candidates(target), limit);
    },
  };
}

/**
 * Inactive: not updated since the cutoff, and no activity of theirs occurred or was recorded
 * since then either (logging a call does not touch the contact row). Deleting a contact deletes
 * its (old) activities through the foreign key, as DELETE /v1/contacts/{id} does; they are
 * counted here as `cascaded` and left out of the activities category's count. While the
 * activities category is on hold, contacts that still have activities are not deleted.
 */
function inactiveContacts(metadata: MetadataStorage): CategoryPurge {
  const candidates = (target: PurgeTarget) => {
    const activitiesHeld = sql`exists (select 1 from legal_holds ah where ah.org_id = ${target.orgId} and ah.released_at is null
      and ah.scope = 'category' and ah.category = 'activities')`;
    const actionClause =
      target.action === 'anonymise'
        ? sql`and not (${personalDataErasure(metadata, 'Contact', 'inactive_contacts', 'c').isErased})`
        : sql`and not (${activitiesHeld} and exists (select 1 from activities ha where ha.org_id = c.org_id and ha.contact_id = c.id))`;
    return sql`select c.id from contacts c where c.org_id = ${target.orgId} and c.updated_at < ${target.cutoff}
      and not exists (select 1 from activities ra where ra.org_id = c.org_id and ra.contact_id = c.id
        and (ra.occurred_at >= ${target.cutoff} or ra.created_at >= ${target.cutoff}))
      and ${notHeld(target)} and ${contactNotHeld(target, 'c.id')} ${actionClause}`;
  };
  const cascadedOf = (target: PurgeTarget, contactIds: SqlFragment) =>
    target.action === 'delete'
      ? sql`(select count(*)::int from activities ca where ca.org_id = ${target.orgId} and ca.contact_id in (${contactIds}))`
      : raw('0');
  return {
    mayBeDue: (target) => sql`exists (select 1 from contacts where org_id = ${target.orgId} and updated_at < ${target.cutoff})`,
    candidates,
    count: (target) =>
      sql`select (select count(*)::int from (${candidates(target)}) candidates) as count, ${cascadedOf(target, candidates(target))} as cascaded`,
    applyBatch: (target, limit) => {
      const picked = sql`select id from picked`;
      if (target.action === 'delete') {
        // One snapshot: the activities counted are those the cascade is about to delete.
        return sql`with picked as materialized (${candidates(target)} limit ${limit}),
          done as (delete from contacts where org_id = ${target.orgId} and id in (${picked}) returning 1)
          select (select count(*)::int from done) as count, ${cascadedOf(target, picked)} as cascaded`;
      }
      return sql`with picked as materialized (${candidates(target)} limit ${limit}),
        done as (update contacts set ${personalDataErasure(metadata, 'Contact', 'inactive_contacts', 'c').assignments},
          updated_at = now(), version = version + 1 where org_id = ${target.orgId} and id in (${picked}) returning 1)
        select count(*)::int as count, 0 as cascaded from done`;
    },
  };
}

/**
 * The oldest prefix of the hash chain, through the newest event past retention, and only through
 * `audit_prune()`, which records where the surviving chain starts. The newest signed checkpoint's
 * event is kept: /verify checks that checkpoint against its row.
 */
function auditEvents(): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    sql`select e.seq from audit_events e where e.org_id = ${target.orgId}
      and e.seq <= (select max(o.seq) from audit_events o where o.org_id = ${target.orgId} and o.occurred_at < ${target.cutoff})
      and e.seq < coalesce((select max(k.seq) from audit_checkpoints k where k.org_id = ${target.orgId}), 9223372036854775807)
      and ${notHeld(target)}`;
  return {
    mayBeDue: (target) => sql`exists (select 1 from audit_events where org_id = ${target.orgId} and occurred_at < ${target.cutoff})`,
    candidates,
    count: (target) => countOf(candidates(target)),
    applyBatch: (target, limit) =>
      sql`select coalesce(audit_prune(${target.orgId}::uuid,
          (select max(seq) from (${candidates(target)} order by e.seq limit ${limit}) batch)), 0)::int as count, 0 as cascaded`,
  };
}

/** An access request's export is dropped once past retention or its download deadline; the request stays. */
function privacyExports(): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    sql`select p.id from privacy_requests p where p.org_id = ${target.orgId} and p.export is not null
      and (p.completed_at < ${target.cutoff} or p.export_expires_at < ${target.now}) and ${notHeld(target)}`;
  return {
    mayBeDue: (target) => sql`exists (${candidates(target)})`,
    candidates,
    count: (target) => countOf(candidates(target)),
    applyBatch: (target, limit) =>
      batchOf(sql`update privacy_requests set export = null, updated_at = now() where org_id = ${target.orgId}`, candidates(target), limit),
  };
}

function expiredInvitations(): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    sql`select i.id from invitations i where i.org_id = ${target.orgId}
      and (i.expires_at < ${target.cutoff} or i.revoked_at < ${target.cutoff} or i.accepted_at < ${target.cutoff}) and ${notHeld(target)}`;
  return {
    mayBeDue: (target) => sql`exists (${candidates(target)})`,
    candidates,
    count: (target) => countOf(candidates(target)),
    applyBatch: (target, limit) => batchOf(sql`delete from invitations where org_id = ${target.orgId}`, candidates(target), limit),
  };
}

function expiredIdempotencyRecords(): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    sql`select r.id from idempotency_records r where r.org_id = ${target.orgId} and r.expires_at < ${target.cutoff} and ${notHeld(target)}`;
  return {
    mayBeDue: (target) => sql`exists (${candidates(target)})`,
    candidates,
    count: (target) => countOf(candidates(target)),
    applyBatch: (target, limit) => batchOf(sql`delete from idempotency_records where org_id = ${target.orgId}`, candidates(target), limit),
  };
}

/** The purge of every category; `metadata` supplies the ORM's column mapping for anonymisation. */
export function categoryPurges(metadata: MetadataStorage): Record<RetentionCategory, CategoryPurge> {
  const contacts = inactiveContacts(metadata);
  return {
    activities: activities(metadata, contacts),
    inactive_contacts: contacts,
    audit_events: auditEvents(),
    privacy_exports: privacyExports(),
    expired_invitations: expiredInvitations(),
    expired_idempotency_records: expiredIdempotencyRecords(),
  };
}
