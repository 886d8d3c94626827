import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { dueDateOf } from '../../../src/compliance/privacy/due-dates';
import { subjectHashOf } from '../../../src/compliance/privacy/privacy-request-row';
import { Signed, bearer } from '../../support/factories';

/** Shared by the privacy-request suites: HTTP calls, polling, and rows seeded as the database owner. */

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions
export type Json = Record<string, any>;

export function caller(app: () => NestFastifyApplication) {
  return (method: Method, url: string, token?: string, payload?: object, headers: Record<string, string> = {}) =>
    app().inject({ method, url, headers: { ...(token ? bearer(token) : {}), ...headers }, payload });
}
export type Call = ReturnType<typeof caller>;
export type Reply = Awaited<ReturnType<Call>>;

export function expectProblem(response: Reply, status: number, code: string): void {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code });
}

export function expectFieldError(response: Reply, field: string): void {
  expectProblem(response, 400, 'VALIDATION_FAILED');
  expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

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

export async function createContact(call: Call, user: Signed, body: object, headers: Record<string, string> = {}): Promise<Json> {
  const response = await call('POST', '/v1/contacts', user.token, body, headers);
  expect(response.statusCode).toBe(201);
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

/** A connection as the migrations' owner (superuser): seeds states the API cannot reach on demand, and bypasses RLS. */
export async function ownerConnection(): Promise<Client> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  return client;
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
