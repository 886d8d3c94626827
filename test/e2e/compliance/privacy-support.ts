import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { dueDateOf } from '../../../src/compliance/privacy/due-dates';
import { subjectHashOf } from '../../../src/compliance/privacy/privacy-request-row';
import { Call, Json } from '../../support/client';
import { Signed } from '../../support/factories';

/** Shared by the privacy-request suites: requests, polling, and rows seeded as the database owner. */

/** Processing is asynchronous: polls the request until it is completed (or rejected). */
export async function waitUntilDone(call: Call, token: string, id: string, timeoutMs = 10_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call('GET', `/v1/privacy/requests/${id}`, token);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    if (body.status === 'completed' || body.status === 'rejected') return body;
    if (Date.now() > deadline) throw new Error(`privacy request ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function createPrivacyRequest(call: Call, user: Signed, type: 'access' | 'erasure', subjectEmail: string): Promise<Json> {
  const response = await call('POST', '/v1/privacy/requests', user.token, { type, subjectEmail });
  expect(response.statusCode).toBe(202);
  return response.json();
}

export async function createActivity(call: Call, user: Signed, contactId: string, body: object): Promise<Json> {
  const response = await call('POST', `/v1/contacts/${contactId}/activities`, user.token, {
    type: 'note',
    occurredAt: '2026-10-01T09:00:00.000Z',
    ...body,
  });
  expect(response.statusCode).toBe(201);
  return response.json();
}

/** Distinctive values nothing else in the database can contain by chance. */
export function distinctiveSubject() {
  const tag = () => randomBytes(5).toString('hex');
  const digits = String(1_000_000 + (randomBytes(3).readUIntBE(0, 3) % 9_000_000));
  return {
    firstName: `Quorin${tag()}`,
    lastName: `Vexlam${tag()}`,
    email: `subject-${tag()}@erasure.example`,
    phone: `+4479${digits}`,
    secret: `custom-${tag()}`,
  };
}

/**
 * A request as it sits between receipt and handling (or after its handler died), which the API
 * never leaves for long: processing starts the moment a request is stored.
 */
export async function seedRequest(
  db: Client,
  orgId: string,
  options: { type?: 'access' | 'erasure'; email?: string; status?: string; receivedAt?: Date; startedAt?: Date | null } = {},
): Promise<string> {
  const id = uuidv7();
  const email = options.email ?? `seeded-${randomBytes(4).toString('hex')}@example.test`;
  const receivedAt = options.receivedAt ?? new Date();
  await db.query(
    `insert into privacy_requests (id, org_id, type, status, subject_email, subject_hash, received_at, due_at, requested_by_type, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, 'user', $9)`,
    [
      id,
      orgId,
      options.type ?? 'access',
      options.status ?? 'pending',
      email,
      subjectHashOf(orgId, email),
      receivedAt,
      dueDateOf(receivedAt),
      options.startedAt ?? null,
    ],
  );
  return id;
}
