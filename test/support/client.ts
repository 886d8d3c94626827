import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Signed, bearer } from './factories';
import { expectProblem } from './problems';

/**
 * The typed test client every e2e spec shares: one request helper, the problem+json checks, and
 * the records most specs need before their case (a contact, a company). Users, orgs and API keys
 * come from ./factories; the app itself from ./test-app or ./suite.
 */

export { expectProblem };

export type Method = NonNullable<InjectOptions['method']>;
/** What a request answers: statusCode, headers, body, and json() to parse it. */
export type Reply = LightMyRequestResponse;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions
export type Json = Record<string, any>;

export interface CallOptions {
  /** Sent as `Authorization: Bearer <token>`; none for anonymous calls. */
  readonly token?: string;
  readonly body?: object | string;
  readonly headers?: Record<string, string>;
  /** The client address the app sees (rate limits key on it). */
  readonly remoteAddress?: string;
}

/** One request into the app over Fastify's inject: real routing, guards, filters and serialisation. */
export function call(app: NestFastifyApplication, method: Method, url: string, options: CallOptions = {}): Promise<Reply> {
  const headers = { ...(options.token ? bearer(options.token) : {}), ...options.headers };
  return app.inject({ method, url, headers, payload: options.body, remoteAddress: options.remoteAddress });
}

/** The same request over real HTTP, to an app in another process (child apps, fault and telemetry suites). */
export function fetchCall(
  baseUrl: string,
  method: Method,
  path: string,
  options: Omit<CallOptions, 'remoteAddress'> = {},
): Promise<Response> {
  const { token, body, headers } = options;
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? bearer(token) : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** `call` with positional arguments: method, url, then token, body and headers when there are any. */
export type Call = (method: Method, url: string, token?: string, body?: object, headers?: Record<string, string>) => Promise<Reply>;

/** A `Call` on `app`; pass a getter when the suite makes the app in beforeAll, so it is read on each call. */
export function caller(app: NestFastifyApplication | (() => NestFastifyApplication)): Call {
  const current = typeof app === 'function' ? app : () => app;
  return (method, url, token, body, headers) => call(current(), method, url, { token, body, headers });
}

/** A 400 VALIDATION_FAILED problem naming `field` among its field errors, each with a message. */
export function expectFieldError(response: Reply, field: string): void {
  expectProblem(response, 400, 'VALIDATION_FAILED');
  expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
}

/** POSTs `body` to `url` as `user`, expects 201 and returns the created record. */
export async function create(
  app: NestFastifyApplication,
  user: Signed,
  url: string,
  body: object,
  headers?: Record<string, string>,
): Promise<Json> {
  const response = await call(app, 'POST', url, { token: user.token, body, headers });
  expect({ status: response.statusCode, body: response.body.slice(0, 300) }).toMatchObject({ status: 201 });
  return response.json();
}

/** A contact as the API shows it. */
export interface ContactView {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  companyId: string | null;
  company: { id: string; name: string } | null;
  tags: string[];
  customFields: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A contact in `user`'s org: Grace Hopper unless `body` says otherwise. */
export async function createContact(
  app: NestFastifyApplication,
  user: Signed,
  body: object = {},
  headers?: Record<string, string>,
): Promise<ContactView> {
  return (await create(app, user, '/v1/contacts', { firstName: 'Grace', lastName: 'Hopper', ...body }, headers)) as ContactView;
}

/** A company in `user`'s org, named uniquely unless `body` names it. */
export function createCompany(app: NestFastifyApplication, user: Signed, body: object = {}): Promise<Json> {
  return create(app, user, '/v1/companies', { name: `Acme ${randomUUID().slice(0, 6)}`, ...body });
}

/** Another organization owned by `user` (their session stays in the current one); returns its id. */
export async function createOrganization(app: NestFastifyApplication, user: Signed, name: string): Promise<string> {
  return (await create(app, user, '/v1/organizations', { name })).id;
}
