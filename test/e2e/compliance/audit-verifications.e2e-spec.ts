import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Jobs } from '../../../src/platform/jobs';
import { chainHash } from '../../../src/compliance/audit/audit-chain';
import { eventOf } from '../../../src/compliance/audit/audit-chain.repository';
import { Signed, addMember, signup } from '../../support/factories';
import { Json, caller, expectProblem } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';

/**
 * Full re-verification of an org's audit chain, in the background: the API (who may start and read
 * it, validation, isolation), what it finds that the incremental /verify takes on trust, the
 * pick-up job resuming an abandoned run from its saved point, and a signed outcome that openssl
 * verifies with the published key.
 */

// Its pick-up job visits every organization: a database of its own keeps it to this file's.
const suite = useTestAppWithOwnerDb({ scratchDatabase: 'audit_verifications' });
const call = caller(() => suite.app);

async function someContacts(user: Signed, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await call('POST', '/v1/contacts', user.token, { firstName: `Verify${i}`, lastName: 'Subject' });
    expect(response.statusCode).toBe(201);
  }
}

async function start(user: Signed): Promise<Json> {
  const response = await call('POST', '/v1/audit-events/verifications', user.token);
  expect(response.statusCode).toBe(202);
  return response.json();
}

/** Polls the run until it has ended: the event this waits for is its status leaving queued/running. */
async function finished(user: Signed, id: string, timeoutMs = 15_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call('GET', `/v1/audit-events/verifications/${id}`, user.token);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    if (body.status === 'succeeded' || body.status === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`verification ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function lastSeqOf(orgId: string): Promise<number> {
  const { rows } = await suite.db.query('select last_seq::int from audit_chain_heads where org_id = $1', [orgId]);
  return rows[0].last_seq;
}

/** As the table owner with the append-only trigger off: an event's action changed, its stored hash left as it was. */
async function editInPlace(orgId: string, seq: number): Promise<void> {
  await suite.db.query('begin');
  await suite.db.query('alter table audit_events disable trigger audit_events_append_only');
  await suite.db.query(`update audit_events set action = 'contact.read' where org_id = $1 and seq = $2`, [orgId, seq]);
  await suite.db.query('alter table audit_events enable trigger audit_events_append_only');
  await suite.db.query('commit');
}

async function checkpoint(): Promise<void> {
  expect((await suite.app.get(Jobs).runNow('audit-checkpoint')).status).toBe('succeeded');
}

describe('a full verification', () => {
  it('recomputes every event in the background and signs an outcome that openssl verifies with the published key', async () => {
    const owner = await signup(suite.app);
    await someContacts(owner, 4);
    await checkpoint();
    const created = await start(owner);
    expect(created).toMatchObject({ status: 'queued', requestedBy: { type: 'user', id: owner.userId }, outcome: null, signature: null });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);

    const done = await finished(owner, created.id);
    const lastSeq = await lastSeqOf(owner.orgId);
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: { checked: expect.any(Number), total: expect.any(Number) },
      outcome: { valid: true, firstBrokenSeq: null, fromSeq: 0 },
      error: null,
    });
    // It covers the head when it started: the POST itself appended an event after it.
    expect(done.outcome.throughSeq).toBeGreaterThanOrEqual(lastSeq - 1);
    expect(done.progress.checked).toBe(done.outcome.throughSeq);
    const { rows: through } = await suite.db.query('select hash from audit_events where org_id = $1 and seq = $2', [
      owner.orgId,
      done.outcome.throughSeq,
    ]);
    expect(done.outcome).toMatchObject({ fromHash: '0'.repeat(64), throughHash: through[0].hash });
    expect(JSON.parse(done.signature.signedPayload)).toEqual({
      type: 'atrium-audit-verification',
      id: created.id,
      organizationId: owner.orgId,
      fromSeq: 0,
      fromHash: '0'.repeat(64),
      throughSeq: done.outcome.throughSeq,
      throughHash: through[0].hash,
      checked: done.progress.checked,
      valid: true,
      firstBrokenSeq: null,
      finishedAt: done.finishedAt,
    });

    const keys = (await call('GET', '/.well-known/atrium-signing-keys.json')).json();
    const key = keys.keys.find((candidate: Json) => candidate.keyId === done.signature.keyId);
    const dir = mkdtempSync(join(tmpdir(), 'atrium-verification-'));
    try {
      writeFileSync(join(dir, 'key.pem'), key.publicKeyPem);
      writeFileSync(join(dir, 'outcome.json'), done.signature.signedPayload);
      writeFileSync(join(dir, 'outcome.sig'), Buffer.from(done.signature.value, 'base64'));
      const openssl = (payload: string) =>
        spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', payload, '-sigfile', 'outcome.sig'], {
          cwd: dir,
          encoding: 'utf8',
        });
      const verified = openssl('outcome.json');
      expect(`${verified.stdout}${verified.stderr}`).toContain('Signature Verified Successfully');
      expect(verified.status).toBe(0);
      writeFileSync(join(dir, 'altered.json'), done.signature.signedPayload.replace('"valid":true', '"valid":false'));
      expect(openssl('altered.json').status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds an old event edited in place, which the incremental verification takes on trust from the checkpoint', async () => {
    const owner = await signup(suite.app);
    await someContacts(owner, 4);
    await checkpoint();
    await editInPlace(owner.orgId, 2);

    const quick = (await call('GET', '/v1/audit-events/verify', owner.token)).json();
    expect(quick).toMatchObject({ valid: true });
    expect(quick.checkpointedThrough).toBeGreaterThanOrEqual(2);
    const full = await finished(owner, (await start(owner)).id);
    expect(full).toMatchObject({ status: 'succeeded', outcome: { valid: false, firstBrokenSeq: 2 }, progress: { checked: 1 } });
    expect(JSON.parse(full.signature.signedPayload)).toMatchObject({ valid: false, firstBrokenSeq: 2 });
  });

  it('answers 409 while one is open, and the pick-up job runs a run whose start was lost', async () => {
    const owner = await signup(suite.app);
    await someContacts(owner, 2);
    const id = randomUUID();
    await suite.db.query(`insert into audit_verifications (id, org_id, requested_by_type, requested_by_id) values ($1, $2, 'user', $3)`, [
      id,
      owner.orgId,
      owner.userId,
    ]);
    expectProblem(await call('POST', '/v1/audit-events/verifications', owner.token), 409, 'AUDIT_VERIFICATION_IN_PROGRESS');

    const run = await suite.app.get(Jobs).runNow('audit-verifications');
    expect(run).toMatchObject({ status: 'succeeded', counts: { succeeded: 1, failed: 0 } });
    expect((await call('GET', `/v1/audit-events/verifications/${id}`, owner.token)).json()).toMatchObject({
      status: 'succeeded',
      outcome: { valid: true },
    });
    expect((await call('POST', '/v1/audit-events/verifications', owner.token)).statusCode).toBe(202);
  });

  it('resumes an abandoned run from its saved point once its lease ran out', async () => {
    const owner = await signup(suite.app);
    await someContacts(owner, 6);
    const through = await lastSeqOf(owner.orgId);
    const { rows } = await suite.db.query('select hash from audit_events where org_id = $1 and seq = 3', [owner.orgId]);
    const id = randomUUID();
    // As an instance that died after saving its progress at seq 3 would have left it.
    await suite.db.query(
      `insert into audit_verifications (id, org_id, requested_by_type, status, started_at, lease_until, attempts,
         from_seq, from_hash, through_seq, position_seq, position_hash, checked)
       values ($1, $2, 'user', 'running', now() - interval '5 minutes', now() - interval '1 minute', 1, 0, $5, $3, 3, $4, 3)`,
      [id, owner.orgId, through, rows[0].hash, '0'.repeat(64)],
    );
    // Event 2 edited in place after the run got past it: a run started again from the beginning would find it.
    await editInPlace(owner.orgId, 2);
    expect((await suite.app.get(Jobs).runNow('audit-verifications')).status).toBe('succeeded');
    const resumed = (await call('GET', `/v1/audit-events/verifications/${id}`, owner.token)).json();
    expect(resumed).toMatchObject({
      status: 'succeeded',
      progress: { checked: through, total: through },
      outcome: { valid: true, fromSeq: 0, throughSeq: through },
    });
    const { rows: attempts } = await suite.db.query('select attempts from audit_verifications where id = $1', [id]);
    expect(attempts[0].attempts).toBe(2);
  });
});

describe('a full verification against the signed checkpoints', () => {
  it('finds a chain rewritten with every hash recomputed, which no longer carries the signed hash', async () => {
    const owner = await signup(suite.app);
    await someContacts(owner, 4);
    await checkpoint();
    await someContacts(owner, 2);
    // Event 2 changed, and every later hash and the head recomputed to match: internally consistent.
    const { rows } = await suite.db.query('select * from audit_events where org_id = $1 order by seq', [owner.orgId]);
    let prevHash = rows[0].hash;
    await suite.db.query('begin');
    await suite.db.query('alter table audit_events disable trigger audit_events_append_only');
    for (const row of rows.slice(1)) {
      const changed = { ...row, occurred_at: row.occurred_at.toISOString(), action: Number(row.seq) === 2 ? 'contact.read' : row.action };
      const hash = chainHash(prevHash, eventOf(changed));
      await suite.db.query('update audit_events set action = $3, prev_hash = $4, hash = $5 where org_id = $1 and seq = $2', [
        owner.orgId,
        row.seq,
        changed.action,
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    await suite.db.query('alter table audit_events enable trigger audit_events_append_only');
    await suite.db.query('update audit_chain_heads set last_hash = $2 where org_id = $1', [owner.orgId, prevHash]);
    await suite.db.query('commit');

    const { rows: signed } = await suite.db.query('select seq::int from audit_checkpoints where org_id = $1', [owner.orgId]);
    expect((await call('GET', '/v1/audit-events/verify', owner.token)).json()).toMatchObject({ valid: false, firstBrokenSeq: signed[0].seq });
    const full = await finished(owner, (await start(owner)).id);
    expect(full).toMatchObject({ status: 'succeeded', outcome: { valid: false, firstBrokenSeq: signed[0].seq } });
  });
});

describe('who may start and read them', () => {
  it('needs a credential on every route', async () => {
    for (const [method, url] of [
      ['POST', '/v1/audit-events/verifications'],
      ['GET', '/v1/audit-events/verifications'],
      ['GET', `/v1/audit-events/verifications/${randomUUID()}`],
    ] as const) {
      expectProblem(await call(method, url), 401, 'UNAUTHENTICATED');
    }
  });

  it('lets owners and auditors start and read them; members and viewers get 403', async () => {
    const owner = await signup(suite.app);
    const auditor = await addMember(suite.app, owner, 'auditor');
    const done = await finished(auditor, (await start(auditor)).id);
    expect(done).toMatchObject({ status: 'succeeded', requestedBy: { type: 'user', id: auditor.userId } });
    expect((await call('GET', `/v1/audit-events/verifications/${done.id}`, owner.token)).statusCode).toBe(200);
    for (const role of ['member', 'viewer'] as const) {
      const user = await addMember(suite.app, owner, role);
      expectProblem(await call('POST', '/v1/audit-events/verifications', user.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', '/v1/audit-events/verifications', user.token), 403, 'FORBIDDEN');
      expectProblem(await call('GET', `/v1/audit-events/verifications/${done.id}`, user.token), 403, 'FORBIDDEN');
    }
  });

  it('shows one organization nothing of another’s', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    const theirs = await finished(first, (await start(first)).id);
    expectProblem(await call('GET', `/v1/audit-events/verifications/${theirs.id}`, second.token), 404, 'VERIFICATION_NOT_FOUND');
    expect((await call('GET', '/v1/audit-events/verifications', second.token)).json()).toEqual({ data: [], nextCursor: null });
  });

  it('pages newest first, and rejects bad ids, limits and cursors', async () => {
    const owner = await signup(suite.app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await finished(owner, (await start(owner)).id)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = (
        await call('GET', `/v1/audit-events/verifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.token)
      ).json();
      seen.push(...page.data.map((verification: Json) => verification.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expectProblem(await call('GET', '/v1/audit-events/verifications/not-a-uuid', owner.token), 400, 'VALIDATION_FAILED');
    expectProblem(await call('GET', '/v1/audit-events/verifications?limit=0', owner.token), 400, 'VALIDATION_FAILED');
    expectProblem(await call('GET', '/v1/audit-events/verifications?cursor=%%%', owner.token), 400, 'VALIDATION_FAILED');
  });
});
