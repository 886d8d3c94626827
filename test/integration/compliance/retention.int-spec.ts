import { randomUUID } from 'node:crypto';
import { AuditEventsService, AuditLog } from '../../../src/compliance/audit';
import { RetentionModule } from '../../../src/compliance/retention';
import { LegalHoldsService } from '../../../src/compliance/retention/legal-holds.service';
import { RetentionAction, RetentionCategory } from '../../../src/compliance/retention/retention-categories';
import { effectivePoliciesOf, purgeTargetsOf } from '../../../src/compliance/retention/retention-policies';
import { PurgeTarget } from '../../../src/compliance/retention/retention-predicates';
import { RetentionPurger } from '../../../src/compliance/retention/retention-purger.service';
import { RetentionJob } from '../../../src/compliance/retention/retention.job';
import { IdempotencyRepository } from '../../../src/idempotency/idempotency.repository';
import { TenantDatabase } from '../../../src/tenancy';
import { InvitationsService } from '../../../src/tenancy/invitations/invitations.service';
import { uniqueEmail } from '../../support/factories';
import { useIntegrationModule } from '../support/integration-module';
import { CRM_MODULES, SeededOrganization, claimedPrivacyRequest, createActivity, createContact, createOrganization } from '../support/seed';

/**
 * Retention (src/compliance/retention) without HTTP: each category's predicate against rows seeded
 * through the services and repositories (made old with SQL as the owner: no service backdates),
 * counted and applied by RetentionPurger exactly as the preview and the nightly job do.
 */
const suite = useIntegrationModule({ imports: [...CRM_MODULES, RetentionModule] });

const LONG_AGO = new Date('2019-03-01T10:00:00.000Z');

type Policies = Partial<Record<RetentionCategory, { action?: RetentionAction; days?: number }>>;

/** Every category's target for the org now, as the job builds them: the default policies but those given. */
function targetsOf(orgId: string, policies: Policies): Record<RetentionCategory, PurgeTarget> {
  const stored = effectivePoliciesOf([]).map((entry) => ({
    category: entry.category,
    duration_days: policies[entry.category]?.days ?? entry.durationDays,
    action: policies[entry.category]?.action ?? entry.action,
    updated_at: new Date(),
  }));
  const targets = purgeTargetsOf(orgId, effectivePoliciesOf(stored), new Date());
  return Object.fromEntries(targets.map((target) => [target.category, target])) as Record<RetentionCategory, PurgeTarget>;
}

function targetOf(orgId: string, category: RetentionCategory, policy: { action?: RetentionAction; days?: number } = {}): PurgeTarget {
  return targetsOf(orgId, { [category]: policy })[category];
}

async function countOf(target: PurgeTarget): Promise<{ count: number; cascadedActivities: number }> {
  return suite.get(TenantDatabase).forOrganization(target.orgId, (em) => suite.get(RetentionPurger).count(em, target));
}

/** `column = now() - age` for the rows; as the owner, since no service makes a row old. */
async function age(table: string, column: string, ids: readonly string[], interval: string): Promise<void> {
  await suite.db.query(`update ${table} set ${column} = now() - $2::interval where id = any($1::uuid[])`, [ids, interval]);
}

async function existing(table: string, ids: readonly string[]): Promise<string[]> {
  const { rows } = await suite.db.query(`select id from ${table} where id = any($1::uuid[]) order by id`, [ids]);
  return rows.map((row: { id: string }) => row.id);
}

async function rowOf(table: string, id: string): Promise<Record<string, unknown>> {
  const { rows } = await suite.db.query(`select * from ${table} where id = $1`, [id]);
  return rows[0];
}

function hold(
  org: SeededOrganization,
  body: { scope: 'organization' | 'contact' | 'category'; contactId?: string; category?: RetentionCategory },
) {
  return suite.asTenant(org.orgId, () => suite.get(LegalHoldsService).create({ reason: 'Litigation hold', ...body }));
}

function release(org: SeededOrganization, id: string): Promise<void> {
  return suite.asTenant(org.orgId, () => suite.get(LegalHoldsService).release(id));
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('retention predicates and the purger (integration)', () => {
  describe('activities', () => {
    it('reaches activities that occurred before the cutoff, and not those after it or of a held contact', async () => {
      const org = await createOrganization(suite);
      const kept = (await createContact(suite, org.orgId)).id;
      const old = [
        await createActivity(suite, org, kept, { occurredAt: LONG_AGO }),
        await createActivity(suite, org, kept, { occurredAt: LONG_AGO }),
      ];
      const recent = await createActivity(suite, org, kept);
      const heldContact = (await createContact(suite, org.orgId)).id;
      const heldActivity = await createActivity(suite, org, heldContact, { occurredAt: LONG_AGO });
      await hold(org, { scope: 'contact', contactId: heldContact });

      const target = targetOf(org.orgId, 'activities');
      expect(await countOf(target)).toEqual({ count: 2, cascadedActivities: 0 });
      expect(await suite.get(RetentionPurger).purge(target, 100)).toEqual({ count: 2, cascadedActivities: 0 });
      expect(await existing('activities', [...old, recent, heldActivity])).toEqual(sorted([recent, heldActivity]));
      expect(await countOf(target)).toEqual({ count: 0, cascadedActivities: 0 });
    });

    it('anonymises only the declared personal fields when the policy says anonymise, and only once', async () => {
      const org = await createOrganization(suite);
      const contact = (await createContact(suite, org.orgId)).id;
      const old = await createActivity(suite, org, contact, { occurredAt: LONG_AGO, subject: 'Call with Ada', body: 'Her new number' });
      const before = await rowOf('activities', old);

      const target = targetOf(org.orgId, 'activities', { action: 'anonymise', days: 365 });
      expect(await countOf(target)).toEqual({ count: 1, cascadedActivities: 0 });
      expect(await suite.get(RetentionPurger).purge(target, 100)).toEqual({ count: 1, cascadedActivities: 0 });
      const after = await rowOf('activities', old);
      expect(after).toEqual({
        ...before,
        subject: '[erased]',
        body: null,
        version: (before.version as number) + 1,
        updated_at: expect.any(Date),
      });
      // Already anonymised: not a candidate again.
      expect(await countOf(target)).toEqual({ count: 0, cascadedActivities: 0 });
    });
  });

  describe('inactive contacts', () => {
    /** Inactive (old, no activity), inactive with an old activity, old but called recently, and fresh. */
    async function seedContacts(org: SeededOrganization) {
      const inactive = (
        await createContact(suite, org.orgId, {
          email: 'ada@example.test',
          phone: '+14155550123',
          customFields: { tier: 'gold' },
          tags: ['vip'],
        })
      ).id;
      const withHistory = (await createContact(suite, org.orgId)).id;
      const history = await createActivity(suite, org, withHistory, { occurredAt: LONG_AGO });
      const calledRecently = (await createContact(suite, org.orgId)).id;
      await createActivity(suite, org, calledRecently, { occurredAt: new Date(Date.now() - 30 * 86_400_000) });
      const fresh = (await createContact(suite, org.orgId)).id;
      await age('contacts', 'updated_at', [inactive, withHistory, calledRecently], '4 years');
      await age('activities', 'created_at', [history], '4 years');
      return { inactive, withHistory, history, calledRecently, fresh };
    }

    it('anonymises contacts neither updated nor active since the cutoff (the default), keeping the undeclared fields', async () => {
      const org = await createOrganization(suite);
      const seeded = await seedContacts(org);
      const target = targetOf(org.orgId, 'inactive_contacts');
      expect(target.action).toBe('anonymise');
      expect(await countOf(target)).toEqual({ count: 2, cascadedActivities: 0 });
      await suite.get(RetentionPurger).purge(target, 100);

      const anonymised = await rowOf('contacts', seeded.inactive);
      expect(anonymised).toMatchObject({
        first_name: '[erased]',
        last_name: '[erased]',
        email: null,
        phone: null,
        custom_fields: {},
        tags: ['vip'],
        version: 2,
      });
      expect(await rowOf('contacts', seeded.calledRecently)).toMatchObject({ first_name: 'Ada' });
      expect(await rowOf('contacts', seeded.fresh)).toMatchObject({ first_name: 'Ada' });
      expect(await existing('activities', [seeded.history])).toEqual([seeded.history]);
      expect(await countOf(target)).toEqual({ count: 0, cascadedActivities: 0 });
    });

    it('deletes them with their activities (counted as cascaded) when the policy says delete', async () => {
      const org = await createOrganization(suite);
      const seeded = await seedContacts(org);
      const targets = targetsOf(org.orgId, { inactive_contacts: { action: 'delete' } });
      const target = targets.inactive_contacts;
      expect(await countOf(target)).toEqual({ count: 2, cascadedActivities: 1 });
      // The activities target leaves out what goes with the deleted contacts; with contacts anonymised it would count it.
      expect(await countOf(targets.activities)).toEqual({ count: 0, cascadedActivities: 0 });
      expect(await countOf(targetOf(org.orgId, 'activities'))).toEqual({ count: 1, cascadedActivities: 0 });
      expect(await suite.get(RetentionPurger).purge(target, 100)).toEqual({ count: 2, cascadedActivities: 1 });
      expect(await existing('contacts', [seeded.inactive, seeded.withHistory, seeded.calledRecently, seeded.fresh])).toEqual(
        sorted([seeded.calledRecently, seeded.fresh]),
      );
      expect(await existing('activities', [seeded.history])).toEqual([]);
    });

    it('deletes no contact that still has activities while the activities category is on hold', async () => {
      const org = await createOrganization(suite);
      const seeded = await seedContacts(org);
      await hold(org, { scope: 'category', category: 'activities' });
      const target = targetOf(org.orgId, 'inactive_contacts', { action: 'delete' });
      expect(await countOf(target)).toEqual({ count: 1, cascadedActivities: 0 });
      await suite.get(RetentionPurger).purge(target, 100);
      expect(await existing('contacts', [seeded.inactive, seeded.withHistory])).toEqual([seeded.withHistory]);
      expect(await existing('activities', [seeded.history])).toEqual([seeded.history]);
    });
  });

  describe('legal holds', () => {
    it('an organization-wide hold stops every category; a category hold only its own; a released hold nothing', async () => {
      const org = await createOrganization(suite);
      const contact = (await createContact(suite, org.orgId)).id;
      await createActivity(suite, org, contact, { occurredAt: LONG_AGO });
      const invitation = await invite(org);
      await age('invitations', 'expires_at', [invitation], '40 days');
      const counts = async () => ({
        activities: (await countOf(targetOf(org.orgId, 'activities'))).count,
        invitations: (await countOf(targetOf(org.orgId, 'expired_invitations'))).count,
      });
      expect(await counts()).toEqual({ activities: 1, invitations: 1 });

      const whole = await hold(org, { scope: 'organization' });
      expect(await counts()).toEqual({ activities: 0, invitations: 0 });
      expect(await suite.get(RetentionPurger).purge(targetOf(org.orgId, 'activities'), 100)).toEqual({ count: 0, cascadedActivities: 0 });

      await release(org, whole.id);
      const onActivities = await hold(org, { scope: 'category', category: 'activities' });
      expect(await counts()).toEqual({ activities: 0, invitations: 1 });
      await release(org, onActivities.id);
      expect(await counts()).toEqual({ activities: 1, invitations: 1 });
    });
  });

  describe('the other categories', () => {
    it('expired invitations: expired, revoked or accepted before the cutoff; not a pending one', async () => {
      const org = await createOrganization(suite);
      const [expired, revoked, pending] = [await invite(org), await invite(org), await invite(org)];
      await age('invitations', 'expires_at', [expired], '40 days');
      await age('invitations', 'revoked_at', [revoked], '31 days');
      const target = targetOf(org.orgId, 'expired_invitations');
      expect(await countOf(target)).toEqual({ count: 2, cascadedActivities: 0 });
      await suite.get(RetentionPurger).purge(target, 100);
      expect(await existing('invitations', [expired, revoked, pending])).toEqual([pending]);
    });

    it('idempotency records past their window; not one still inside it', async () => {
      const org = await createOrganization(suite);
      const repository = new IdempotencyRepository();
      const claim = (ttlHours: number) =>
        suite
          .get(TenantDatabase)
          .forOrganization(org.orgId, (em) =>
            repository.claim(em, { id: randomUUID(), orgId: org.orgId, key: randomUUID(), requestHash: 'hash', ttlHours }),
          );
      const [expired, live] = [await claim(-48), await claim(24)];
      const target = targetOf(org.orgId, 'expired_idempotency_records');
      expect(await countOf(target)).toEqual({ count: 1, cascadedActivities: 0 });
      await suite.get(RetentionPurger).purge(target, 100);
      expect(await existing('idempotency_records', [expired as string, live as string])).toEqual([live]);
    });

    it('access exports completed before the cutoff or past their download deadline lose the export; the request stays', async () => {
      const org = await createOrganization(suite);
      const old = await completedExport(org, 29);
      const pastDeadline = await completedExport(org, -1);
      const fresh = await completedExport(org, 29);
      await age('privacy_requests', 'completed_at', [old], '40 days');
      const target = targetOf(org.orgId, 'privacy_exports');
      expect(await countOf(target)).toEqual({ count: 2, cascadedActivities: 0 });
      await suite.get(RetentionPurger).purge(target, 100);
      const { rows } = await suite.db.query(
        'select id, export is not null as "hasExport" from privacy_requests where org_id = $1 order by id',
        [org.orgId],
      );
      expect(rows).toEqual(sorted([old, pastDeadline, fresh]).map((id) => ({ id, hasExport: id === fresh })));
    });

    it('audit events: prunes the old prefix through audit_prune, and the chain verifies from its new start', async () => {
      const org = await createOrganization(suite);
      for (let i = 0; i < 4; i += 1) await suite.get(AuditLog).append({ orgId: org.orgId, action: 'test.event', details: { i } });
      await ageAuditEvents(org.orgId, 3, '8 years');
      const target = targetOf(org.orgId, 'audit_events');
      expect(await countOf(target)).toEqual({ count: 3, cascadedActivities: 0 });
      expect(await suite.get(RetentionPurger).purge(target, 100)).toEqual({ count: 3, cascadedActivities: 0 });
      const { rows } = await suite.db.query(
        'select pruned_through_seq::int as pruned, (select min(seq)::int from audit_events where org_id = $1) as first from audit_chain_heads where org_id = $1',
        [org.orgId],
      );
      expect(rows).toEqual([{ pruned: 3, first: 4 }]);
      const verified = await suite.asTenant(org.orgId, () => suite.get(AuditEventsService).verify());
      expect(verified).toMatchObject({ valid: true, lastSeq: 5, checked: 2 });
    });
  });

  describe('batches', () => {
    it('applies a batch per transaction until one comes back short, checking the lease before each', async () => {
      const org = await createOrganization(suite);
      const contact = (await createContact(suite, org.orgId)).id;
      const old: string[] = [];
      for (let i = 0; i < 5; i += 1) old.push(await createActivity(suite, org, contact, { occurredAt: LONG_AGO }));
      const lease = { assertHeld: jest.fn() };
      expect(await suite.get(RetentionPurger).purge(targetOf(org.orgId, 'activities'), 2, lease)).toEqual({
        count: 5,
        cascadedActivities: 0,
      });
      // 2 + 2 + 1: the short third batch ends the loop.
      expect(lease.assertHeld).toHaveBeenCalledTimes(3);
      expect(await existing('activities', old)).toEqual([]);
    });

    it('keeps the batches already committed when the lease is lost midway, and stops there', async () => {
      const org = await createOrganization(suite);
      const contact = (await createContact(suite, org.orgId)).id;
      const old: string[] = [];
      for (let i = 0; i < 5; i += 1) old.push(await createActivity(suite, org, contact, { occurredAt: LONG_AGO }));
      let checks = 0;
      const lease = {
        assertHeld: () => {
          checks += 1;
          if (checks === 3) throw new Error('lease lost');
        },
      };
      await expect(suite.get(RetentionPurger).purge(targetOf(org.orgId, 'activities'), 2, lease)).rejects.toThrow('lease lost');
      expect(await existing('activities', old)).toHaveLength(1);
    });
  });

  describe('one organization’s run', () => {
    it('applies every category, records the run in retention_runs and a retention.run event in the audit chain', async () => {
      const org = await createOrganization(suite);
      const contact = (await createContact(suite, org.orgId)).id;
      await createActivity(suite, org, contact, { occurredAt: LONG_AGO });
      const invitation = await invite(org);
      await age('invitations', 'expires_at', [invitation], '40 days');

      const run = await suite.get(RetentionJob).runForOrganization(org.orgId, null);
      expect(run).toEqual({
        succeeded: true,
        counts: expect.objectContaining({ activities: 1, expired_invitations: 1, inactive_contacts: 0 }),
      });
      const { rows: runs } = await suite.db.query('select id, outcome, counts from retention_runs where org_id = $1', [org.orgId]);
      expect(runs).toEqual([{ id: expect.any(String), outcome: 'succeeded', counts: run.counts }]);
      const { rows: events } = await suite.db.query(
        "select target_id, outcome, details from audit_events where org_id = $1 and action = 'retention.run'",
        [org.orgId],
      );
      expect(events).toEqual([{ target_id: runs[0].id, outcome: 'success', details: expect.objectContaining(run.counts) }]);
    });
  });
});

/** An invitation, through InvitationsService.create as the org's owner. */
async function invite(org: SeededOrganization): Promise<string> {
  const created = await suite.asTenant(org.orgId, () => suite.get(InvitationsService).create(uniqueEmail('invitee'), 'member'), {
    type: 'user',
    id: org.ownerId,
    userId: org.ownerId,
  });
  return created.id;
}

/** A completed access request whose export's download deadline is `ttlDays` from now, through PrivacyRequestsRepository. */
async function completedExport(org: SeededOrganization, ttlDays: number): Promise<string> {
  return claimedPrivacyRequest(suite, org, { type: 'access', subjectEmail: uniqueEmail('subject'), subjectHash: randomUUID() }, async (requests, em, claimed) => {
    await requests.completeAccess(em, org.orgId, claimed.id, { document: { contacts: [] }, ttlDays, result: { contacts: 0 } });
    return claimed.id;
  });
}

/** Backdates the first events of an org's chain; audit_events refuses updates, so triggers are off for this one transaction. */
async function ageAuditEvents(orgId: string, throughSeq: number, interval: string): Promise<void> {
  await suite.db.query('begin');
  await suite.db.query('set local session_replication_role = replica');
  await suite.db.query('update audit_events set occurred_at = now() - $3::interval where org_id = $1 and seq <= $2', [
    orgId,
    throughSeq,
    interval,
  ]);
  await suite.db.query('commit');
}
