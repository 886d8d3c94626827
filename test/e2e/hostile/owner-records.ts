import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Signed, bearer } from '../../support/factories';
import { FuzzOperation } from './openapi-document';

/**
 * Real records in the owner's organization, so that writes with a plausible body reach the
 * database (where a bad value would fail) instead of stopping at a 404. Deletions never get them:
 * they are given ids that exist nowhere and so destroy nothing.
 */

export interface OwnerRecords {
  readonly companyId: string;
  readonly contactId: string;
  readonly activityId: string;
  readonly privacyRequestId: string;
}

async function create(app: NestFastifyApplication, owner: Signed, url: string, payload: object): Promise<{ id: string }> {
  const response = await app.inject({ method: 'POST', url, headers: bearer(owner.token), payload });
  if (response.statusCode >= 300) throw new Error(`POST ${url} for the fuzz's records: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function createOwnerRecords(app: NestFastifyApplication, owner: Signed): Promise<OwnerRecords> {
  const company = await create(app, owner, '/v1/companies', { name: 'Fuzz Target Ltd' });
  const email = `subject-${owner.orgId.slice(0, 8)}@example.test`;
  const contact = await create(app, owner, '/v1/contacts', { firstName: 'Fuzz', lastName: 'Target', email, companyId: company.id });
  const activity = await create(app, owner, `/v1/contacts/${contact.id}/activities`, {
    type: 'note',
    subject: 'Fuzz target',
    occurredAt: '2026-11-01T00:00:00Z',
  });
  const request = await create(app, owner, '/v1/privacy/requests', { type: 'access', subjectEmail: email });
  return { companyId: company.id, contactId: contact.id, activityId: activity.id, privacyRequestId: request.id };
}

const RECORD_BY_PREFIX: ReadonlyArray<[string, keyof OwnerRecords]> = [
  ['/v1/companies/{id}', 'companyId'],
  ['/v1/contacts/{id}', 'contactId'],
  ['/v1/activities/{id}', 'activityId'],
  ['/v1/privacy/requests/{id}', 'privacyRequestId'],
];

/** The `{id}` of a non-DELETE operation on one of the records, else nothing (an absent id is used). */
export function pathValuesFor(op: FuzzOperation, records: OwnerRecords): Record<string, string> {
  if (op.method === 'DELETE') return {};
  const match = RECORD_BY_PREFIX.find(([prefix]) => op.path === prefix || op.path.startsWith(`${prefix}/`));
  return match ? { id: records[match[1]] } : {};
}
