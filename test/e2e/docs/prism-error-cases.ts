import { ProxyClient } from './prism-proxy';
import { expectStatus } from './prism-session';

/** Deliberate mistakes, each answered by Atrium (request validation is off in this proxy). Returns the error statuses seen. */
export async function runErrorCases(client: ProxyClient, user: { email: string; password: string }): Promise<number[]> {
  const statuses: number[] = [];
  const call = async (method: string, path: string, options: Parameters<ProxyClient['call']>[2], status: number, what: string) => {
    const exchange = expectStatus(await client.call(method, path, options), status, what);
    if (exchange.status >= 400) statuses.push(exchange.status);
    return exchange;
  };
  const signup = await call(
    'POST',
    '/v1/auth/signup',
    { body: { email: user.email, password: user.password, name: 'Prism Errors', organizationName: 'Prism Errors' } },
    201,
    'signup',
  );
  const as = { token: signup.json.token as string };
  await call(
    'POST',
    '/v1/auth/signup',
    { body: { email: user.email, password: user.password, name: 'Again', organizationName: 'Again' } },
    409,
    'signup twice',
  );
  await call('POST', '/v1/contacts', { ...as, body: {} }, 400, 'missing fields');
  await call('POST', '/v1/contacts', { ...as, body: { firstName: 'A', lastName: 'B', nickname: 'x' } }, 400, 'unknown field');
  // No malformed JSON here: Prism parses a JSON body itself and answers 400 without forwarding it.
  await call('GET', '/v1/contacts/not-a-uuid', as, 400, 'malformed id');
  await call('GET', '/v1/contacts?limit=1000', as, 400, 'limit too large');
  await call('GET', '/v1/audit-events/export?format=csv&limit=3', as, 400, 'paging an export');
  await call('POST', '/v1/contacts', { ...as, rawBody: 'firstName=A', headers: { 'content-type': 'text/plain' } }, 415, 'text body');
  await call(
    'POST',
    '/v1/contacts',
    { ...as, rawBody: JSON.stringify({ firstName: 'x'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } },
    413,
    'huge body',
  );
  await call('GET', '/v1/me', { token: `atr_${'x'.repeat(65)}` }, 401, 'bogus API key');
  await call('GET', '/v1/me', { token: 'not-a-session-token-at-all-000000000000000' }, 401, 'bogus session');
  await call('GET', `/v1/contacts/${'0193a3c2-7b1e-7cc0-8f00-123456789abc'}`, as, 404, 'missing contact');
  await call('GET', '/v1/compliance/reports/0193a3c2-7b1e-7cc0-8f00-123456789abc/download?format=pdf', as, 404, 'missing report');

  const key = await call('POST', '/v1/api-keys', { ...as, body: { name: 'read only', scopes: ['contacts:read'] } }, 201, 'key');
  await call('POST', '/v1/contacts', { token: key.json.secret, body: { firstName: 'A', lastName: 'B' } }, 403, 'write with a read key');
  await call('GET', '/v1/api-keys', { token: key.json.secret }, 403, 'session-only route with a key');

  const contact = await call(
    'POST',
    '/v1/contacts',
    { ...as, headers: { 'idempotency-key': 'prism-errors-1' }, body: { firstName: 'A', lastName: 'B' } },
    201,
    'contact',
  );
  await call(
    'POST',
    '/v1/contacts',
    { ...as, headers: { 'idempotency-key': 'prism-errors-1' }, body: { firstName: 'C', lastName: 'D' } },
    422,
    'idempotency key reused',
  );
  await call(
    'PATCH',
    `/v1/contacts/${contact.json.id as string}`,
    { ...as, headers: { 'if-match': '"stale"' }, body: { firstName: 'Z' } },
    412,
    'stale If-Match',
  );
  await call('PATCH', `/v1/members/${signup.json.user.id as string}`, { ...as, body: { role: 'viewer' } }, 409, 'demote the last owner');

  const victim = `limited-${user.email}`;
  for (let attempt = 0; attempt < 4; attempt++)
    await call('POST', '/v1/auth/login', { body: { email: victim, password: 'wrong password 123' } }, 401, 'wrong password');
  await call('POST', '/v1/auth/login', { body: { email: victim, password: 'wrong password 123' } }, 429, 'too many logins');
  return statuses;
}
