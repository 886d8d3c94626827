import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Permission, Role } from '../../src/tenancy';

/** Test data comes from these factories, over the real HTTP API; no shared fixtures. */

export const STRONG_PASSWORD = 'plenty of entropy in here 42';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export interface Signed {
  readonly token: string;
  readonly userId: string;
  readonly orgId: string;
  readonly email: string;
  readonly password: string;
}

export async function signup(app: NestFastifyApplication, overrides: { email?: string; organizationName?: string } = {}): Promise<Signed> {
  const email = overrides.email ?? uniqueEmail('owner');
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: {
      email,
      password: STRONG_PASSWORD,
      name: 'Test Owner',
      organizationName: overrides.organizationName ?? `Org ${randomUUID().slice(0, 6)}`,
    },
  });
  if (response.statusCode !== 201) throw new Error(`signup failed: ${response.statusCode} ${response.body}`);
  const body = response.json();
  return { token: body.token, userId: body.user.id, orgId: body.organization.id, email, password: STRONG_PASSWORD };
}

/** Invites a new user into `owner`'s organization with `role` and accepts for them. */
export async function addMember(app: NestFastifyApplication, owner: Signed, role: Role): Promise<Signed> {
  const email = uniqueEmail(role);
  const invited = await app.inject({ method: 'POST', url: '/v1/invitations', headers: bearer(owner.token), payload: { email, role } });
  if (invited.statusCode !== 201) throw new Error(`invite failed: ${invited.statusCode} ${invited.body}`);
  const accepted = await app.inject({
    method: 'POST',
    url: '/v1/invitations/accept',
    payload: { token: invited.json().token, name: `Test ${role}`, password: STRONG_PASSWORD },
  });
  if (accepted.statusCode !== 200) throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
  const body = accepted.json();
  return { token: body.token, userId: body.user.id, orgId: owner.orgId, email, password: STRONG_PASSWORD };
}

export async function createApiKey(
  app: NestFastifyApplication,
  creator: Signed,
  scopes: Permission[],
  name = 'test key',
): Promise<{ id: string; secret: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(creator.token), payload: { name, scopes } });
  if (response.statusCode !== 201) throw new Error(`api key failed: ${response.statusCode} ${response.body}`);
  return { id: response.json().id, secret: response.json().secret };
}
