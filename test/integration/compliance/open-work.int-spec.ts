import { randomUUID } from 'node:crypto';
import { AuditModule } from '../../../src/compliance/audit';
import { AuditVerificationsRepository } from '../../../src/compliance/audit/audit-verifications.repository';
import { PrivacyModule } from '../../../src/compliance/privacy';
import { PrivacyRequestsRepository } from '../../../src/compliance/privacy/privacy-requests.repository';
import { TenantDatabase } from '../../../src/tenancy';
import { useIntegrationModule } from '../support/integration-module';
import { CRM_MODULES, SeededOrganization, createOrganization } from '../support/seed';

/**
 * What the pick-up jobs walk (privacy-requests, audit-verifications): the organizations with open
 * work, found across tenants in one statement (security-definer functions returning org ids only),
 * instead of a transaction in every organization. The shared test database holds other suites'
 * orgs, so each case checks the orgs it made.
 */
const suite = useIntegrationModule({ imports: [...CRM_MODULES, AuditModule, PrivacyModule] });

function global<T>(work: Parameters<TenantDatabase['global']>[0]): Promise<T> {
  return suite.get(TenantDatabase).global(work) as Promise<T>;
}

async function privacyRequest(org: SeededOrganization, status: string, startedAt: Date | null = null): Promise<void> {
  await suite.db.query(
    `insert into privacy_requests (id, org_id, type, subject_email, subject_hash, received_at, due_at, requested_by_type, status, started_at)
     values ($1, $2, 'access', 'someone@example.com', $3, now(), now() + interval '30 days', 'user', $4, $5)`,
    [randomUUID(), org.orgId, 'a'.repeat(64), status, startedAt],
  );
}

async function auditVerification(org: SeededOrganization, status: string): Promise<void> {
  await suite.db.query(`insert into audit_verifications (id, org_id, requested_by_type, status) values ($1, $2, 'user', $3)`, [
    randomUUID(),
    org.orgId,
    status,
  ]);
}

describe('the organizations the pick-up jobs walk (integration)', () => {
  it('privacy requests: the orgs with a pending or claimed request, not those with none open', async () => {
    const [pending, claimed, finished, none] = [
      await createOrganization(suite),
      await createOrganization(suite),
      await createOrganization(suite),
      await createOrganization(suite),
    ];
    await privacyRequest(pending, 'pending');
    await privacyRequest(pending, 'pending');
    // Claimed an hour ago (its handler may have died) or just now: the claim decides which it may take.
    await privacyRequest(claimed, 'in_progress', new Date(Date.now() - 3_600_000));
    await privacyRequest(finished, 'completed', new Date());
    await privacyRequest(finished, 'rejected');

    const orgs = await global<string[]>((em) => suite.get(PrivacyRequestsRepository).organizationsWithOpenRequests(em));

    expect(orgs).toEqual(expect.arrayContaining([pending.orgId, claimed.orgId]));
    expect(orgs).not.toContain(finished.orgId);
    expect(orgs).not.toContain(none.orgId);
    expect(new Set(orgs).size).toBe(orgs.length);
  });

  it('audit verifications: the orgs with a queued or running run, not those with only finished ones', async () => {
    const [queued, running, finished] = [await createOrganization(suite), await createOrganization(suite), await createOrganization(suite)];
    await auditVerification(queued, 'queued');
    await auditVerification(running, 'running');
    await auditVerification(finished, 'succeeded');
    await auditVerification(finished, 'failed');

    const orgs = await global<string[]>((em) => suite.get(AuditVerificationsRepository).organizationsWithOpenRuns(em));

    expect(orgs).toEqual(expect.arrayContaining([queued.orgId, running.orgId]));
    expect(orgs).not.toContain(finished.orgId);
  });

  it('the global scope still reads no request or run itself: the functions give org ids and nothing else', async () => {
    const org = await createOrganization(suite);
    await privacyRequest(org, 'pending');
    await auditVerification(org, 'queued');

    const seen = await global<{ requests: string; runs: string }[]>((em) =>
      em.execute(`select (select count(*) from privacy_requests) as requests, (select count(*) from audit_verifications) as runs`),
    );

    expect(seen).toEqual([{ requests: '0', runs: '0' }]);
  });
});
