import { Knex, MetadataStorage } from '@mikro-orm/postgresql';
import { RetentionAction, RetentionCategory } from './retention-categories';
import { personalDataErasure } from './personal-data-erasure';

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
 *
 * Statements are knex raw statements (`knex.raw(text, bindings)`) for `em.execute`: a value is a
 * `?` binding, an identifier a `??` binding, and a nested `knex.raw` is spliced in at its `?` with
 * its own bindings. Each `knex.raw` here is small, so its bindings sit next to the text using them.
 */
export interface CategoryPurge {
  /**
   * A cheap test, true whenever there are candidates (and sometimes when there are none): most
   * orgs have nothing due on most nights, and this spares them the full count.
   */
  mayBeDue(target: PurgeTarget): Knex.Raw;
  candidates(target: PurgeTarget): Knex.Raw;
  /** Counts the candidates; a statement returning one row `{ count, cascaded }`. */
  count(target: PurgeTarget): Knex.Raw;
  /** Applies the action to at most `limit` candidates; a statement returning one row `{ count, cascaded }`. */
  applyBatch(target: PurgeTarget, limit: number): Knex.Raw;
}

/**
 * The conditions joined with ` and `. knex splices a nested raw with empty text in as a bare `?`
 * (with no binding), so an optional condition is left out of the list rather than passed empty.
 */
function allOf(knex: Knex, conditions: readonly (Knex.Raw | false | undefined)[]): Knex.Raw {
  const present = conditions.filter((condition): condition is Knex.Raw => condition !== false && condition !== undefined);
  return knex.raw(present.map(() => '?').join(' and '), present);
}

/** Holds that stop the whole category for the org: an organization-wide hold or one on this category. */
function notHeld(knex: Knex, target: PurgeTarget): Knex.Raw {
  return knex.raw(
    `not exists (select 1 from legal_holds h where h.org_id = ? and h.released_at is null
    and (h.scope = 'organization' or (h.scope = 'category' and h.category = ?)))`,
    [target.orgId, target.category],
  );
}

/** A contact hold keeps the contact and everything recorded about it. */
function contactNotHeld(knex: Knex, target: PurgeTarget, contactIdColumn: string): Knex.Raw {
  return knex.raw(
    `not exists (select 1 from legal_holds ch where ch.org_id = ? and ch.released_at is null
    and ch.scope = 'contact' and ch.contact_id = ??)`,
    [target.orgId, contactIdColumn],
  );
}

function countOf(knex: Knex, candidates: Knex.Raw): Knex.Raw {
  return knex.raw('select count(*)::int as count, 0 as cascaded from (?) candidates', [candidates]);
}

/** DELETE or UPDATE of the first `limit` candidates by primary key. */
function batchOf(knex: Knex, statement: Knex.Raw, candidates: Knex.Raw, limit: number): Knex.Raw {
  return knex.raw(
    `with done as (? and id in (? limit ?) returning 1)
    select count(*)::int as count, 0 as cascaded from done`,
    [statement, candidates, limit],
  );
}

function activities(knex: Knex, metadata: MetadataStorage, contacts: CategoryPurge): CategoryPurge {
  const candidates = (target: PurgeTarget) => {
    const erased = personalDataErasure(knex, metadata, 'Activity', 'activities', 'a');
    return knex.raw('select a.id from activities a where ?', [
      allOf(knex, [
        knex.raw('a.org_id = ? and a.occurred_at < ?', [target.orgId, target.cutoff]),
        notHeld(knex, target),
        contactNotHeld(knex, target, 'a.contact_id'),
        target.contactDeletion && knex.raw('a.contact_id not in (?)', [contacts.candidates(target.contactDeletion)]),
        target.action === 'anonymise' && knex.raw('not (?)', [erased.isErased]),
      ]),
    ]);
  };
  return {
    mayBeDue: (target) => knex.raw('exists (select 1 from activities where org_id = ? and occurred_at < ?)', [target.orgId, target.cutoff]),
    candidates,
    count: (target) => countOf(knex, candidates(target)),
    applyBatch: (target, limit) => {
      const statement =
        target.action === 'delete'
          ? knex.raw('delete from activities where org_id = ?', [target.orgId])
          : knex.raw('update activities set ?, updated_at = now(), version = version + 1 where org_id = ?', [
              personalDataErasure(knex, metadata, 'Activity', 'activities', 'a').assignments,
              target.orgId,
            ]);
      return batchOf(knex, statement, candidates(target), limit);
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
function inactiveContacts(knex: Knex, metadata: MetadataStorage): CategoryPurge {
  const candidates = (target: PurgeTarget) => {
    const activitiesHeld = knex.raw(
      `exists (select 1 from legal_holds ah where ah.org_id = ? and ah.released_at is null
      and ah.scope = 'category' and ah.category = 'activities')`,
      [target.orgId],
    );
    const actionClause =
      target.action === 'anonymise'
        ? knex.raw('not (?)', [personalDataErasure(knex, metadata, 'Contact', 'inactive_contacts', 'c').isErased])
        : knex.raw('not (? and exists (select 1 from activities ha where ha.org_id = c.org_id and ha.contact_id = c.id))', [
            activitiesHeld,
          ]);
    return knex.raw(
      `select c.id from contacts c where c.org_id = ? and c.updated_at < ?
      and not exists (select 1 from activities ra where ra.org_id = c.org_id and ra.contact_id = c.id
        and (ra.occurred_at >= ? or ra.created_at >= ?))
      and ? and ? and ?`,
      [
        target.orgId,
        target.cutoff,
        target.cutoff,
        target.cutoff,
        notHeld(knex, target),
        contactNotHeld(knex, target, 'c.id'),
        actionClause,
      ],
    );
  };
  const cascadedOf = (target: PurgeTarget, contactIds: Knex.Raw) =>
    target.action === 'delete'
      ? knex.raw('(select count(*)::int from activities ca where ca.org_id = ? and ca.contact_id in (?))', [target.orgId, contactIds])
      : knex.raw('0');
  return {
    mayBeDue: (target) => knex.raw('exists (select 1 from contacts where org_id = ? and updated_at < ?)', [target.orgId, target.cutoff]),
    candidates,
    count: (target) =>
      knex.raw('select (select count(*)::int from (?) candidates) as count, ? as cascaded', [
        candidates(target),
        cascadedOf(target, candidates(target)),
      ]),
    applyBatch: (target, limit) => {
      const picked = knex.raw('select id from picked');
      if (target.action === 'delete') {
        // One snapshot: the activities counted are those the cascade is about to delete.
        return knex.raw(
          `with picked as materialized (? limit ?),
          done as (delete from contacts where org_id = ? and id in (?) returning 1)
          select (select count(*)::int from done) as count, ? as cascaded`,
          [candidates(target), limit, target.orgId, picked, cascadedOf(target, picked)],
        );
      }
      return knex.raw(
        `with picked as materialized (? limit ?),
        done as (update contacts set ?,
          updated_at = now(), version = version + 1 where org_id = ? and id in (?) returning 1)
        select count(*)::int as count, 0 as cascaded from done`,
        [
          candidates(target),
          limit,
          personalDataErasure(knex, metadata, 'Contact', 'inactive_contacts', 'c').assignments,
          target.orgId,
          picked,
        ],
      );
    },
  };
}

/**
 * The oldest prefix of the hash chain, through the newest event past retention, and only through
 * `audit_prune()`, which records where the surviving chain starts. The newest signed checkpoint's
 * event is kept: /verify checks that checkpoint against its row.
 */
function auditEvents(knex: Knex): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    knex.raw(
      `select e.seq from audit_events e where e.org_id = ?
      and e.seq <= (select max(o.seq) from audit_events o where o.org_id = ? and o.occurred_at < ?)
      and e.seq < coalesce((select max(k.seq) from audit_checkpoints k where k.org_id = ?), 9223372036854775807)
      and ?`,
      [target.orgId, target.orgId, target.cutoff, target.orgId, notHeld(knex, target)],
    );
  return {
    mayBeDue: (target) =>
      knex.raw('exists (select 1 from audit_events where org_id = ? and occurred_at < ?)', [target.orgId, target.cutoff]),
    candidates,
    count: (target) => countOf(knex, candidates(target)),
    applyBatch: (target, limit) =>
      knex.raw(
        `select coalesce(audit_prune(?::uuid,
          (select max(seq) from (? order by e.seq limit ?) batch)), 0)::int as count, 0 as cascaded`,
        [target.orgId, candidates(target), limit],
      ),
  };
}

/** An access request's export is dropped once past retention or its download deadline; the request stays. */
function privacyExports(knex: Knex): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    knex.raw(
      `select p.id from privacy_requests p where p.org_id = ? and p.export is not null
      and (p.completed_at < ? or p.export_expires_at < ?) and ?`,
      [target.orgId, target.cutoff, target.now, notHeld(knex, target)],
    );
  return {
    mayBeDue: (target) => knex.raw('exists (?)', [candidates(target)]),
    candidates,
    count: (target) => countOf(knex, candidates(target)),
    applyBatch: (target, limit) =>
      batchOf(
        knex,
        knex.raw('update privacy_requests set export = null, updated_at = now() where org_id = ?', [target.orgId]),
        candidates(target),
        limit,
      ),
  };
}

function expiredInvitations(knex: Knex): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    knex.raw(
      `select i.id from invitations i where i.org_id = ?
      and (i.expires_at < ? or i.revoked_at < ? or i.accepted_at < ?) and ?`,
      [target.orgId, target.cutoff, target.cutoff, target.cutoff, notHeld(knex, target)],
    );
  return {
    mayBeDue: (target) => knex.raw('exists (?)', [candidates(target)]),
    candidates,
    count: (target) => countOf(knex, candidates(target)),
    applyBatch: (target, limit) =>
      batchOf(knex, knex.raw('delete from invitations where org_id = ?', [target.orgId]), candidates(target), limit),
  };
}

function expiredIdempotencyRecords(knex: Knex): CategoryPurge {
  const candidates = (target: PurgeTarget) =>
    knex.raw('select r.id from idempotency_records r where r.org_id = ? and r.expires_at < ? and ?', [
      target.orgId,
      target.cutoff,
      notHeld(knex, target),
    ]);
  return {
    mayBeDue: (target) => knex.raw('exists (?)', [candidates(target)]),
    candidates,
    count: (target) => countOf(knex, candidates(target)),
    applyBatch: (target, limit) =>
      batchOf(knex, knex.raw('delete from idempotency_records where org_id = ?', [target.orgId]), candidates(target), limit),
  };
}

/**
 * The purge of every category; `metadata` supplies the ORM's column mapping for anonymisation,
 * `knex` (the ORM's own, `em.getKnex()`) composes the statements.
 */
export function categoryPurges(metadata: MetadataStorage, knex: Knex): Record<RetentionCategory, CategoryPurge> {
  const contacts = inactiveContacts(knex, metadata);
  return {
    activities: activities(knex, metadata, contacts),
    inactive_contacts: contacts,
    audit_events: auditEvents(knex),
    privacy_exports: privacyExports(knex),
    expired_invitations: expiredInvitations(knex),
    expired_idempotency_records: expiredIdempotencyRecords(knex),
  };
}

/** One statement that runs every `mayBeDue` test at once: a row whose column `due_<i>` answers test i. */
export function allMayBeDue(knex: Knex, tests: readonly Knex.Raw[]): Knex.Raw {
  return knex.raw(
    `select ${tests.map(() => '? as ??').join(', ')}`,
    tests.flatMap((test, index) => [test, `due_${index}`]),
  );
}
