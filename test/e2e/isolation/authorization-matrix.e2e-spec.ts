import { randomUUID } from 'node:crypto';
import { Permission, ROLES, ROLE_PERMISSIONS } from '../../../src/tenancy/permissions';
import { Signed, addMember, createApiKey, signup } from '../../support/factories';
import { useTestApp } from '../../support/suite';
import { call } from '../../support/client';
import { Access, Operation, callOperation, describeResponse, isAccess, label, loadOperations, problemCode } from './openapi-operations';

/**
 * Every operation of the live OpenAPI document × every role and a scoped API key: the guard must
 * allow exactly what `x-atrium-access` and ROLE_PERMISSIONS say. Requests are harmless: each path
 * parameter is a fresh random UUID (allowed calls answer 404) and bodies are `{}` (guards run before
 * validation, so allowed calls answer 400 and denied ones 403).
 */

/** Operations that end the caller's own session even when called with empty input: each call gets a fresh session. */
const ENDS_CALLER_SESSION: ReadonlySet<string> = new Set(['logout']);

/** A read-only key, and a key holding management permissions (so sessionOnly is what refuses it on createApiKey). */
const KEY_SCOPES: readonly Permission[][] = [
  ['contacts:read', 'members:read'],
  ['api-keys:manage', 'members:manage', 'org:manage'],
];

/** The callers of the matrix, named as `credentials()` names them: a member of every role, then each key. */
const CALLER_NAMES = [...ROLES.map((role) => `${role} session`), ...KEY_SCOPES.map((scopes) => `API key [${scopes.join(', ')}]`)];

interface Credential {
  readonly name: string;
  readonly token: string;
  readonly apiKey: boolean;
  readonly permissions: ReadonlySet<Permission>;
  /** For sessions: how to get a fresh one. */
  readonly user?: Signed;
}

function expectedAllowed(access: Access, credential: Credential): boolean {
  if (access.kind === 'public') return true;
  if (credential.apiKey && access.sessionOnly) return false;
  return access.kind === 'authenticated' || credential.permissions.has(access.permission);
}

function randomPathParams(op: Operation): Record<string, string> {
  return Object.fromEntries(op.pathParams.map((name) => [name, randomUUID()]));
}

describe('Authorization matrix (e2e)', () => {
  const suite = useTestApp();

  async function freshSession(user: Signed): Promise<string> {
    const response = await call(suite.app, 'POST', '/v1/auth/login', {
      body: { email: user.email, password: user.password, organizationId: user.orgId },
    });
    if (response.statusCode !== 200) throw new Error(`login as ${user.email} failed: ${response.statusCode} ${response.body}`);
    return response.json().token as string;
  }

  /** One org with a member of every role, plus the owner's API keys with KEY_SCOPES. */
  async function credentials(): Promise<Credential[]> {
    const owner = await signup(suite.app);
    const result: Credential[] = [];
    for (const role of ROLES) {
      const user = role === 'owner' ? owner : await addMember(suite.app, owner, role);
      result.push({ name: `${role} session`, token: user.token, apiKey: false, permissions: new Set(ROLE_PERMISSIONS[role]), user });
    }
    for (const scopes of KEY_SCOPES) {
      const key = await createApiKey(suite.app, owner, scopes);
      result.push({ name: `API key [${scopes.join(', ')}]`, token: key.secret, apiKey: true, permissions: new Set(scopes) });
    }
    return result;
  }

  it('reads a valid x-atrium-access extension on every operation of the OpenAPI document', async () => {
    const operations = await loadOperations(suite.app);

    expect(operations.length).toBeGreaterThan(0);
    const undeclared = operations.flatMap((op) => ('problem' in op.access ? [`${label(op)}: ${op.access.problem}`] : []));
    expect(undeclared).toEqual([]);
  });

  it('answers public operations without credentials (never 401 or 403)', async () => {
    const operations = (await loadOperations(suite.app)).filter((op) => isAccess(op.access) && op.access.kind === 'public');
    const mismatches: string[] = [];
    for (const op of operations) {
      const response = await callOperation(suite.app, op, { params: randomPathParams(op) });
      if (response.statusCode === 401 || response.statusCode === 403)
        mismatches.push(`${label(op)} without credentials: got ${describeResponse(response)}`);
    }

    expect(operations.length).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  it('refuses every non-public operation without credentials with 401 UNAUTHENTICATED', async () => {
    const operations = (await loadOperations(suite.app)).filter((op) => !isAccess(op.access) || op.access.kind !== 'public');
    const mismatches: string[] = [];
    for (const op of operations) {
      const response = await callOperation(suite.app, op, { params: randomPathParams(op) });
      if (response.statusCode !== 401 || problemCode(response) !== 'UNAUTHENTICATED') {
        mismatches.push(`${label(op)} without credentials: expected 401 UNAUTHENTICATED, got ${describeResponse(response)}`);
      }
    }

    expect(operations.length).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  describe('allows every role and a scoped API key exactly the operations their permissions grant', () => {
    let operations: Operation[];
    let callers: Credential[];

    beforeAll(async () => {
      operations = await loadOperations(suite.app);
      callers = await credentials();
    });

    // One test per caller, each walking every operation (the access declarations are checked above).
    it.each(CALLER_NAMES)('as %s', async (name) => {
      const caller = callers.find((candidate) => candidate.name === name) as Credential;
      const mismatches: string[] = [];
      for (const op of operations) {
        if (!isAccess(op.access) || op.access.kind === 'public') continue;
        const token = ENDS_CALLER_SESSION.has(op.id) && caller.user ? await freshSession(caller.user) : caller.token;
        const response = await callOperation(suite.app, op, { token, params: randomPathParams(op) });
        const allowed = expectedAllowed(op.access, caller);
        const denied = response.statusCode === 403 && problemCode(response) === 'FORBIDDEN';
        if (!allowed && !denied) {
          mismatches.push(`${label(op)} as ${caller.name}: expected 403 FORBIDDEN, got ${describeResponse(response)}`);
        } else if (allowed && (response.statusCode === 401 || response.statusCode === 403 || response.statusCode >= 500)) {
          mismatches.push(
            `${label(op)} as ${caller.name}: expected to be let through (not 401/403/5xx), got ${describeResponse(response)}`,
          );
        }
      }
      expect(mismatches).toEqual([]);
    });

    it("leaves every caller's credential working (the walks ended or changed none)", async () => {
      const broken: string[] = [];
      for (const caller of callers) {
        const me = await call(suite.app, 'GET', '/v1/me', { token: caller.token });
        if (me.statusCode !== 200) broken.push(`GET /v1/me as ${caller.name}: expected 200, got ${describeResponse(me)}`);
      }
      expect(broken).toEqual([]);
    });
  });

  it('gives the API key exactly its scopes and each member exactly its role permissions (GET /v1/me)', async () => {
    const callers = await credentials();
    const seen = [];
    for (const caller of callers) {
      const me = await call(suite.app, 'GET', '/v1/me', { token: caller.token });
      seen.push({ caller: caller.name, status: me.statusCode, permissions: me.json().permissions });
    }

    expect(seen).toEqual(callers.map((c) => ({ caller: c.name, status: 200, permissions: [...c.permissions].sort() })));
  });
});
