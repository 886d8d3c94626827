import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
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
