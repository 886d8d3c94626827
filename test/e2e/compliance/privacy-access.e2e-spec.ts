import { addMember, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { Json, caller, createContact } from '../../support/client';
import { createActivity, createPrivacyRequest, distinctiveSubject, waitUntilDone } from './privacy-support';

const suite = useTestApp();
const call = caller(() => suite.app);

const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

describe('Privacy access export (e2e)', () => {
  it('exports everything the organization holds about the subject, and nothing about anyone else', async () => {
    const owner = await signup(suite.app);
    const s = distinctiveSubject();
    const company = (await call('POST', '/v1/companies', owner.token, { name: 'Access Test Co' })).json();
    const subject = await createContact(suite.app, owner, {
      firstName: s.firstName,
      lastName: s.lastName,
      email: s.email,
      phone: s.phone,
      companyId: company.id,
      tags: ['vip'],
      customFields: { note: s.secret },
    });
    expect((await call('PATCH', `/v1/contacts/${subject.id}`, owner.token, { tags: ['vip', 'renewal'] })).statusCode).toBe(200);
    const ownActivity = await createActivity(call, owner, subject.id, { subject: 'Renewal call', body: 'Three-year term' });

    // Someone else in the same organization, with a note that mentions the subject's email.
    const other = distinctiveSubject();
    const otherContact = await createContact(suite.app, owner, {
      firstName: other.firstName,
      lastName: other.lastName,
      email: other.email,
    });
    const mention = await createActivity(call, owner, otherContact.id, {
      subject: 'Referral',
      body: `Referred by ${s.email.toUpperCase()}`,
    });
    const otherActivity = await createActivity(call, owner, otherContact.id, { subject: 'Private', body: `About ${other.firstName}` });
    const invitation = (await call('POST', '/v1/invitations', owner.token, { email: s.email, role: 'viewer' })).json();

    // The same person in another organization: that tenant's data must not appear.
    const elsewhere = await signup(suite.app);
    const foreign = await createContact(suite.app, elsewhere, { firstName: 'Foreign', lastName: other.lastName, email: s.email });
    await createActivity(call, elsewhere, foreign.id, { subject: 'Foreign note', body: other.secret });

    const request = await createPrivacyRequest(call, owner, 'access', `  ${s.email.toUpperCase()}  `);
    expect(request.subjectEmail).toBe(s.email);
    const done = await waitUntilDone(call, owner.token, request.id);
    expect(done.result).toEqual({ contactsFound: 1, activitiesFound: 1, mentionsFound: 1, invitationsFound: 1, auditReferencesFound: 3 });

    const download = await call('GET', `/v1/privacy/requests/${request.id}/export`, owner.token);
    expect(download.statusCode).toBe(200);
    const exported = JSON.parse(download.body) as Json;
    expect(exported).toMatchObject({
      format: 'atrium.subject-access-export/1',
      request: { id: request.id, type: 'access' },
      controller: { organizationId: owner.orgId },
      processor: 'Atrium',
      subject: { email: s.email },
    });
    expect(exported.contacts).toEqual([
      expect.objectContaining({
        id: subject.id,
        firstName: s.firstName,
        lastName: s.lastName,
        email: s.email,
        phone: s.phone,
        company: { id: company.id, name: 'Access Test Co' },
        tags: ['vip', 'renewal'],
        customFields: { note: s.secret },
      }),
    ]);
    expect(exported.activities).toEqual([expect.objectContaining({ id: ownActivity.id, contactId: subject.id, subject: 'Renewal call' })]);
    expect(ids(exported.mentions)).toEqual([mention.id]);
    expect(exported.mentions[0]).not.toHaveProperty('contactId');
    expect(exported.invitations).toEqual([expect.objectContaining({ id: invitation.id, email: s.email, role: 'viewer' })]);
    expect(exported.auditReferences.map((event: Json) => event.action).sort()).toEqual([
      'activity.create',
      'contact.create',
      'contact.update',
    ]);
    expect(exported.auditReferences[0]).toEqual({
      seq: expect.any(Number),
      action: expect.any(String),
      occurredAt: expect.any(String),
      targetType: expect.any(String),
      targetId: expect.any(String),
    });
    expect(exported.processing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entity: 'Contact',
          field: 'email',
          purpose: expect.any(String),
          retention: expect.objectContaining({ category: 'inactive_contacts' }),
        }),
        expect.objectContaining({ entity: 'Activity', field: 'body' }),
        expect.objectContaining({ entity: 'Invitation', field: 'email' }),
      ]),
    );
    // The subject's account and its SSO and SCIM links are not the organization's records about them.
    expect(exported.processing.filter((field: Json) => ['User', 'SsoIdentity', 'ScimUser'].includes(field.entity))).toEqual([]);

    // Nothing of the other person, the other organization, or the other person's own notes.
    const text = download.body;
    for (const value of [
      other.email,
      other.firstName,
      other.lastName,
      other.secret,
      otherContact.id,
      otherActivity.id,
      foreign.id,
      elsewhere.orgId,
    ]) {
      expect(text).not.toContain(value);
    }
  });

  it('finds nothing for an email the organization does not hold, and lets only privacy managers download', async () => {
    const owner = await signup(suite.app);
    const auditor = await addMember(suite.app, owner, 'auditor');
    const request = await createPrivacyRequest(call, owner, 'access', distinctiveSubject().email);
    const done = await waitUntilDone(call, owner.token, request.id);
    expect(done.result).toEqual({ contactsFound: 0, activitiesFound: 0, mentionsFound: 0, invitationsFound: 0, auditReferencesFound: 0 });
    const exported = (await call('GET', `/v1/privacy/requests/${request.id}/export`, owner.token)).json();
    expect(exported).toMatchObject({ contacts: [], activities: [], mentions: [], invitations: [], auditReferences: [] });
    expect((await call('GET', `/v1/privacy/requests/${request.id}/export`, auditor.token)).statusCode).toBe(403);
    expect(new Date(done.exportExpiresAt).getTime() - new Date(done.completedAt).getTime()).toBeGreaterThan(29 * 86_400_000);
  });
});
