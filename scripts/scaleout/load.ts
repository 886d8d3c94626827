import { ApiAnswer, ApiClient } from './api-client';
import { Tally } from './tally';

/** One tenant of the run: its API key, and the ids of the contacts made for it (each carries `customFields.org`). */
export interface Org {
  readonly index: number;
  readonly orgId: string;
  readonly key: string;
  readonly ids: string[];
}

export type Operation = 'write-read' | 'get' | 'list' | 'search' | 'cross';

/** Shares of each operation, in twentieths. */
export type Mix = Readonly<Record<Operation, number>>;

/** The fault phase: many writes, each read back at once by its writer. */
export const MIXED: Mix = { 'write-read': 6, get: 6, list: 4, search: 2, cross: 2 };
/** The throughput phases: mostly reads, still some writes and their read-backs. */
export const READ_HEAVY: Mix = { 'write-read': 2, get: 9, list: 6, search: 2, cross: 1 };

const SEED_CONTACTS = 5;
const RUN_ID = Date.now().toString(36);

/** Signs up `count` orgs through the API, each with an API key and SEED_CONTACTS contacts, `parallel` orgs at a time. */
export async function seedOrgs(client: ApiClient, count: number, parallel: number, tally: Tally): Promise<Org[]> {
  const orgs: Org[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      orgs[index] = await seedOrg(client, index, tally);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return orgs;
}

async function seedOrg(client: ApiClient, index: number, tally: Tally): Promise<Org> {
  const signup = await client.call('POST', '/v1/auth/signup', undefined, {
    email: `owner-${index}-${RUN_ID}@scaleout.example`,
    password: `Scale-out-run-${RUN_ID}!`,
    name: `Owner ${index}`,
    organizationName: `Scale-out org ${index}`,
  });
  if (!tally.answered('signup', signup, 201)) throw new Error(`signup of org ${index} answered ${signup.status}`);
  const apiKey = await client.call('POST', '/v1/api-keys', signup.body.token, {
    name: 'scaleout',
    scopes: ['contacts:read', 'contacts:write'],
  });
  if (!tally.answered('api-key', apiKey, 201)) throw new Error(`api key of org ${index} answered ${apiKey.status}`);
  const org: Org = { index, orgId: signup.body.organization.id, key: apiKey.body.secret, ids: [] };
  for (let n = 0; n < SEED_CONTACTS; n += 1) {
    const created = await createContact(client, org, `seed${n}`, tally);
    if (!created) throw new Error(`seeding the contacts of org ${index} failed`);
  }
  return org;
}

/**
 * `concurrency` workers send requests until `seconds` have passed. Request n goes to org
 * n mod orgs and runs operation (n + ⌊n / orgs⌋) of the mix, so at any moment every org is busy
 * and every org gets every operation.
 */
export async function drive(client: ApiClient, orgs: readonly Org[], mix: Mix, seconds: number, concurrency: number, tally: Tally) {
  const cycle = (Object.entries(mix) as [Operation, number][]).flatMap(([operation, share]) => Array<Operation>(share).fill(operation));
  const deadline = Date.now() + seconds * 1000;
  let counter = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const n = counter++;
      const org = orgs[n % orgs.length];
      const operation = cycle[(n + Math.floor(n / orgs.length)) % cycle.length];
      await perform(client, operation, org, orgs, n, tally);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  tally.end();
}

async function perform(client: ApiClient, operation: Operation, org: Org, orgs: readonly Org[], n: number, tally: Tally): Promise<void> {
  switch (operation) {
    case 'write-read':
      return writeThenRead(client, org, n, tally);
    case 'get': {
      const id = org.ids[(n * 7919) % org.ids.length];
      const answer = await client.call('GET', `/v1/contacts/${id}`, org.key);
      if (tally.answered('get', answer, 200)) checkRows(org, [answer.body], 'get', tally);
      return;
    }
    case 'list': {
      const answer = await client.call('GET', `/v1/contacts?limit=50${n % 2 ? '&tag=scaleout' : ''}`, org.key);
      if (tally.answered('list', answer, 200)) checkRows(org, answer.body.data, 'list', tally);
      return;
    }
    case 'search': {
      const answer = await client.call('GET', '/v1/contacts?q=scaleout&limit=50', org.key);
      if (tally.answered('search', answer, 200)) checkRows(org, answer.body.data, 'search', tally);
      return;
    }
    case 'cross': {
      // Another org's contact by id, with this org's key: the tenant boundary must answer 404.
      const other = orgs[(org.index + 1 + (n % (orgs.length - 1))) % orgs.length];
      const answer = await client.call('GET', `/v1/contacts/${other.ids[n % other.ids.length]}`, org.key);
      tally.crossProbes += 1;
      if (answer.status === 200) {
        tally.requests += 1;
        tally.foreign(`GET of org ${other.index}'s contact with org ${org.index}'s key answered 200`);
      } else tally.answered('cross', answer, 404);
      return;
    }
  }
}

/**
 * A create, then at once, with the same key, a list that must show it: by search, by exact email
 * or by `updatedSince` in turn (all three are replica-routed reads, read-your-writes applies).
 */
async function writeThenRead(client: ApiClient, org: Org, n: number, tally: Tally): Promise<void> {
  const token = `c${n}-${RUN_ID}`;
  const created = await createContact(client, org, token, tally);
  if (!created) return;
  const email = encodeURIComponent(created.email);
  const query = [`q=${encodeURIComponent(token)}`, `email=${email}`, `updatedSince=${encodeURIComponent(created.createdAt)}&limit=100`][
    n % 3
  ];
  const operation = `read-back (${query.split('=')[0]})`;
  const answer = await client.call('GET', `/v1/contacts?${query}`, org.key);
  tally.writerReadbacks += 1;
  if (!tally.answered(operation, answer, 200)) return;
  checkRows(org, answer.body.data, operation, tally);
  const rows: { id: string }[] = Array.isArray(answer.body.data) ? answer.body.data : [];
  if (!rows.some((row) => row.id === created.id)) {
    tally.stale(`org ${org.index} created ${created.id}, its ${operation} right after (${Math.round(answer.ms)} ms) did not show it`);
  }
}

async function createContact(
  client: ApiClient,
  org: Org,
  token: string,
  tally: Tally,
): Promise<{ id: string; email: string; createdAt: string } | null> {
  const answer: ApiAnswer = await client.call('POST', '/v1/contacts', org.key, {
    firstName: 'Scale',
    lastName: `Org${org.index}`,
    email: `${token}@org${org.index}.scaleout.example`,
    tags: ['scaleout'],
    customFields: { org: org.orgId },
  });
  if (!tally.answered('create', answer, 201)) return null;
  checkRows(org, [answer.body], 'create', tally);
  org.ids.push(answer.body.id);
  return answer.body;
}

/** Every contact row in an answer must carry its own org's marker. */
function checkRows(org: Org, rows: unknown, operation: string, tally: Tally): void {
  if (!Array.isArray(rows)) {
    tally.malformed(`${operation} for org ${org.index}: a 2xx without a row list`);
    return;
  }
  for (const row of rows as { id?: string; customFields?: { org?: string } }[]) {
    tally.rowsChecked += 1;
    if (row?.customFields?.org !== org.orgId) {
      tally.foreign(`${operation} for org ${org.index} returned contact ${row?.id} marked ${row?.customFields?.org ?? '(no marker)'}`);
    }
  }
}
