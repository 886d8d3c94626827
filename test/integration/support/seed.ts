import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { PrivacyRequestRow } from '../../../src/compliance/privacy/privacy-request-row';
import { PrivacyRequestsRepository } from '../../../src/compliance/privacy/privacy-requests.repository';
import { ActivitiesService } from '../../../src/crm/activities/activities.service';
import { CrmModule } from '../../../src/crm';
import { ContactRow, ContactsRepository, NewContact } from '../../../src/crm/contacts/contacts.repository';
import { TenantDatabase, User } from '../../../src/tenancy';
import { OrganizationsService } from '../../../src/tenancy/organizations/organizations.service';
import { uniqueEmail } from '../../support/factories';
import { Integration } from './integration-module';

/**
 * Test data for the middle tier, made through the app's own services and repositories (no HTTP),
 * each call a fresh record: no shared fixtures.
 */

/** The modules the CRM seeding below goes through. */
export const CRM_MODULES = [CrmModule];

export interface SeededOrganization {
  readonly orgId: string;
  readonly ownerId: string;
}

/** A new organization and its owner, as sign-up makes them (OrganizationsService.create, with the owner's user row). */
export async function createOrganization(suite: Integration, name = `Org ${randomUUID().slice(0, 6)}`): Promise<SeededOrganization> {
  const owner = new User();
  owner.email = uniqueEmail('owner');
  owner.name = 'Integration Owner';
  // Nobody signs in here: the hash is never checked.
  owner.passwordHash = 'not-a-password-hash';
  const organization = await suite.get(OrganizationsService).create(name, owner.id, owner);
  return { orgId: organization.id, ownerId: owner.id };
}

/** A contact of `orgId`, through ContactsRepository.insert in a TenantDatabase transaction for the org. */
export async function createContact(
  suite: Integration,
  orgId: string,
  fields: Partial<Omit<NewContact, 'id' | 'orgId'>> = {},
): Promise<ContactRow> {
  const contacts = suite.get(ContactsRepository);
  return suite.get(TenantDatabase).forOrganization(orgId, (em) =>
    contacts.insert(em, {
      id: uuidv7(),
      orgId,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: null,
      phone: null,
      companyId: null,
      tags: [],
      customFields: {},
      ...fields,
    }),
  );
}

/** An activity on a contact, through ActivitiesService.create as the org's owner. */
export async function createActivity(
  suite: Integration,
  org: SeededOrganization,
  contactId: string,
  fields: { occurredAt?: Date; subject?: string; body?: string | null } = {},
): Promise<string> {
  const activity = await suite.asTenant(
    org.orgId,
    () =>
      suite.get(ActivitiesService).create(contactId, {
        type: 'call',
        subject: fields.subject ?? 'Pricing call',
        body: fields.body === undefined ? 'Talked about pricing' : fields.body,
        occurredAt: fields.occurredAt ?? new Date(),
      }),
    { type: 'user', id: org.ownerId, userId: org.ownerId },
  );
  return activity.id;
}

/** A privacy request stored and claimed through PrivacyRequestsRepository, as the processor claims one; `then` runs in the same transaction. */
export async function claimedPrivacyRequest<T = PrivacyRequestRow>(
  suite: Integration,
  org: SeededOrganization,
  request: { readonly type: 'erasure' | 'access'; readonly subjectEmail: string; readonly subjectHash: string },
  then?: (requests: PrivacyRequestsRepository, em: Parameters<Parameters<TenantDatabase['forOrganization']>[1]>[0], claimed: PrivacyRequestRow) => Promise<T>,
): Promise<T> {
  const requests = new PrivacyRequestsRepository();
  return suite.get(TenantDatabase).forOrganization(org.orgId, async (em) => {
    const row = await requests.insert(em, {
      id: randomUUID(),
      orgId: org.orgId,
      ...request,
      receivedAt: new Date(),
      dueAt: new Date(Date.now() + 30 * 86_400_000),
      requestedBy: { type: 'user', id: org.ownerId },
    });
    const claimed = await requests.claim(em, org.orgId, row.id, 15);
    if (!claimed) throw new Error(`the ${request.type} request could not be claimed`);
    return then ? then(requests, em, claimed) : (claimed as T);
  });
}
