import { addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { caller, expectFieldError, expectProblem } from '../../support/client';
import { CATEGORIES } from './retention-categories';

/** The retention-policy and preview routes over HTTP; what the job does is in retention-job.e2e-spec.ts. */

const suite = useTestApp();
const call = caller(() => suite.app);

describe('GET /v1/retention-policies', () => {
  it('lists every category with its default policy', async () => {
    const owner = await signup(suite.app);
    const response = await call('GET', '/v1/retention-policies', owner.token);
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.map((policy: { category: string }) => policy.category)).toEqual(CATEGORIES);
    expect(data[0]).toEqual({
      category: 'activities',
      description: expect.any(String),
      durationDays: 1095,
      action: 'delete',
      isDefault: true,
      allowedActions: ['delete', 'anonymise'],
      updatedAt: null,
    });
    expect(data.find((policy: { category: string }) => policy.category === 'audit_events')).toMatchObject({
      durationDays: 2555,
      action: 'delete',
      allowedActions: ['delete'],
    });
  });

  it('needs compliance:read: auditors read it, members and viewers do not', async () => {
    const owner = await signup(suite.app);
    expectProblem(await call('GET', '/v1/retention-policies'), 401, 'UNAUTHENTICATED');
    for (const role of ['member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('GET', '/v1/retention-policies', other.token), 403, 'FORBIDDEN');
    }
    const auditor = await addMember(suite.app, owner, 'auditor');
    expect((await call('GET', '/v1/retention-policies', auditor.token)).statusCode).toBe(200);
  });
});

describe('PUT /v1/retention-policies/{category}', () => {
  it('sets a policy, returns the effective one, and lists it; setting again updates it', async () => {
    const owner = await signup(suite.app);
    const response = await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 400, action: 'anonymise' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      category: 'activities',
      description: expect.any(String),
      durationDays: 400,
      action: 'anonymise',
      isDefault: false,
      allowedActions: ['delete', 'anonymise'],
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const again = await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 36500, action: 'delete' });
    expect(again.json()).toMatchObject({ durationDays: 36500, action: 'delete', isDefault: false });

    const { data } = (await call('GET', '/v1/retention-policies', owner.token)).json();
    expect(data.find((policy: { category: string }) => policy.category === 'activities')).toMatchObject({
      durationDays: 36500,
      action: 'delete',
    });
    expect(data.filter((policy: { isDefault: boolean }) => !policy.isDefault)).toHaveLength(1);
  });

  it('is audited with the category as its target', async () => {
    const owner = await signup(suite.app);
    const response = await call('PUT', '/v1/retention-policies/privacy_exports', owner.token, { durationDays: 7, action: 'delete' });
    expect(response.statusCode).toBe(200);
    const events = (await call('GET', '/v1/audit-events?action=retention-policy.set', owner.token)).json().data;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      target: { type: 'retention-policy', id: 'privacy_exports' },
      changedFields: ['action', 'durationDays'],
    });
  });

  it('rejects an unknown category, an action the category does not allow, and bad durations', async () => {
    const owner = await signup(suite.app);
    expectFieldError(
      await call('PUT', '/v1/retention-policies/everything', owner.token, { durationDays: 30, action: 'delete' }),
      'category',
    );
    expectFieldError(
      await call('PUT', '/v1/retention-policies/audit_events', owner.token, { durationDays: 30, action: 'anonymise' }),
      'action',
    );
    // The audit trail cannot be shortened below a year, by anyone.
    expectFieldError(
      await call('PUT', '/v1/retention-policies/audit_events', owner.token, { durationDays: 364, action: 'delete' }),
      'durationDays',
    );
    for (const durationDays of [0, 36501, 1.5, '30', null]) {
      expectFieldError(
        await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays, action: 'delete' }),
        'durationDays',
      );
    }
    expectFieldError(await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 30, action: 'shred' }), 'action');
    expectFieldError(await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 30 }), 'action');
    expectProblem(
      await call('PUT', '/v1/retention-policies/activities', owner.token, { durationDays: 30, action: 'delete', orgId: owner.orgId }),
      400,
      'VALIDATION_FAILED',
    );
    const { data } = (await call('GET', '/v1/retention-policies', owner.token)).json();
    expect(data.every((policy: { isDefault: boolean }) => policy.isDefault)).toBe(true);
  });

  it('needs compliance:manage: auditors, members and viewers get 403; an API key with the scope may', async () => {
    const owner = await signup(suite.app);
    const body = { durationDays: 30, action: 'delete' };
    expectProblem(await call('PUT', '/v1/retention-policies/activities', undefined, body), 401, 'UNAUTHENTICATED');
    for (const role of ['auditor', 'member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('PUT', '/v1/retention-policies/activities', other.token, body), 403, 'FORBIDDEN');
    }
    const readOnlyKey = await createApiKey(suite.app, owner, ['compliance:read']);
    expectProblem(await call('PUT', '/v1/retention-policies/activities', readOnlyKey.secret, body), 403, 'FORBIDDEN');
    const key = await createApiKey(suite.app, owner, ['compliance:manage']);
    expect((await call('PUT', '/v1/retention-policies/activities', key.secret, body)).statusCode).toBe(200);
  });

  it('changes only the caller’s organization', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    await call('PUT', '/v1/retention-policies/activities', first.token, { durationDays: 10, action: 'anonymise' });
    const { data } = (await call('GET', '/v1/retention-policies', second.token)).json();
    expect(data.find((policy: { category: string }) => policy.category === 'activities')).toMatchObject({
      durationDays: 1095,
      action: 'delete',
      isDefault: true,
    });
  });
});

describe('POST /v1/retention-policies/preview', () => {
  it('counts per category with the policy in force and its cutoff, changing nothing', async () => {
    const owner = await signup(suite.app);
    await call('PUT', '/v1/retention-policies/inactive_contacts', owner.token, { durationDays: 30, action: 'delete' });
    const before = Date.now();
    const response = await call('POST', '/v1/retention-policies/preview', owner.token);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Date.parse(body.generatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.categories.map((entry: { category: string }) => entry.category)).toEqual(CATEGORIES);
    const contacts = body.categories.find((entry: { category: string }) => entry.category === 'inactive_contacts');
    expect(contacts).toEqual({
      category: 'inactive_contacts',
      action: 'delete',
      durationDays: 30,
      cutoff: expect.any(String),
      count: 0,
      cascadedActivities: 0,
    });
    const expectedCutoff = Date.parse(body.generatedAt) - 30 * 24 * 3600 * 1000;
    expect(Date.parse(contacts.cutoff)).toBe(expectedCutoff);
    for (const entry of body.categories) expect(entry.heldBy).toBeUndefined();
  });

  it('needs compliance:read: auditors may, members and viewers may not', async () => {
    const owner = await signup(suite.app);
    expectProblem(await call('POST', '/v1/retention-policies/preview'), 401, 'UNAUTHENTICATED');
    for (const role of ['member', 'viewer'] as const) {
      const other = await addMember(suite.app, owner, role);
      expectProblem(await call('POST', '/v1/retention-policies/preview', other.token), 403, 'FORBIDDEN');
    }
    const auditor = await addMember(suite.app, owner, 'auditor');
    expect((await call('POST', '/v1/retention-policies/preview', auditor.token)).statusCode).toBe(200);
  });
});
