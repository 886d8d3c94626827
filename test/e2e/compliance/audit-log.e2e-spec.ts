import { AuditLog } from '../../../src/compliance';
import { Jobs } from '../../../src/platform/jobs';
import { STRONG_PASSWORD, Signed, addMember, signup } from '../../support/factories';
import { caller } from '../../support/client';
import { useTestAppWithOwnerDb } from '../../support/suite';
import { asOwnerWithoutTrigger } from './audit-tampering';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by the assertions below
type AuditEventJson = Record<string, any>;

const call = caller(() => suite.app);

async function events(token: string, query = ''): Promise<AuditEventJson[]> {
  const response = await call('GET', `/v1/audit-events?limit=100${query}`, token);
  expect(response.statusCode).toBe(200);
  return response.json().data;
}

async function verify(token: string): Promise<AuditEventJson> {
  const response = await call('GET', '/v1/audit-events/verify', token);
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function someContacts(user: Signed, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await call('POST', '/v1/contacts', user.token, { firstName: `Audit${i}`, lastName: 'Subject' });
    expect(response.statusCode).toBe(201);
    ids.push(response.json().id);
  }
  return ids;
}

// Its checkpoint runs visit every organization, and its tampering alters audit_events as the table owner:
// a database of its own keeps both away from the suites running beside it.
const suite = useTestAppWithOwnerDb({ scratchDatabase: 'audit_log' });

describe('what is recorded', () => {
  it('records a mutation once, in the same transaction, with field names and never values', async () => {
    const user = await signup(suite.app);
    const created = await call('POST', '/v1/contacts', user.token, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example' });
    const id = created.json().id;
    const updated = await call('PATCH', `/v1/contacts/${id}`, user.token, { phone: '+14155550123' });
    expect(updated.statusCode).toBe(200);

    const mine = await events(user.token, `&targetId=${id}`);
    expect(mine.map((event) => event.action)).toEqual(['contact.update', 'contact.create']);
    const [update, create] = mine;
    expect(create).toMatchObject({
      actor: { type: 'user', id: user.userId },
      target: { type: 'contact', id },
      outcome: 'success',
      requestId: created.headers['x-request-id'],
      changedFields: ['email', 'firstName', 'lastName'],
    });
    expect(create.ip).toEqual(expect.any(String));
    expect(update).toMatchObject({ changedFields: ['phone'], requestId: updated.headers['x-request-id'], seq: create.seq + 1 });
    expect(JSON.stringify(mine)).not.toMatch(/Grace|Hopper|navy|4155550123/);
  });

  it('records a failed mutation with its error code, and nothing of the rolled-back change', async () => {
    const user = await signup(suite.app);
    const missing = '01930000-0000-7000-8000-000000000000';
    const response = await call('PATCH', `/v1/contacts/${missing}`, user.token, { firstName: 'X' });
    expect(response.statusCode).toBe(404);
    const [event] = await events(user.token, `&targetId=${missing}`);
    expect(event).toMatchObject({ action: 'contact.update', outcome: 'failure', details: { code: 'CONTACT_NOT_FOUND' } });
  });

  it('folds the security events a request raises into its one event', async () => {
    const user = await signup(suite.app);
    const member = await addMember(suite.app, user, 'member');
    const removed = await call('DELETE', `/v1/members/${member.userId}`, user.token);
    expect(removed.statusCode).toBe(204);
    const forRequest = (await events(user.token)).filter((event) => event.requestId === removed.headers['x-request-id']);
    expect(forRequest).toHaveLength(1);
    expect(forRequest[0]).toMatchObject({ action: 'member.remove', target: { type: 'member', id: member.userId } });
    expect(forRequest[0].details.events).toContain('member.removed');
  });

  it('records denied permission checks and failed sign-ins in the organization concerned', async () => {
    const user = await signup(suite.app);
    const viewer = await addMember(suite.app, user, 'viewer');
    const denied = await call('POST', '/v1/contacts', viewer.token, { firstName: 'No', lastName: 'Way' });
    expect(denied.statusCode).toBe(403);
    const failed = await call('POST', '/v1/auth/login', undefined, { email: viewer.email, password: 'not the password at all' });
    expect(failed.statusCode).toBe(401);

    const recorded = await events(user.token);
    expect(recorded.find((event) => event.requestId === denied.headers['x-request-id'])).toMatchObject({
      action: 'permission.denied',
      outcome: 'denied',
      actor: { type: 'user', id: viewer.userId },
      details: { permission: 'contacts:write', route: '/v1/contacts' },
    });
    expect(recorded.find((event) => event.requestId === failed.headers['x-request-id'])).toMatchObject({
      action: 'auth.login.failed',
      outcome: 'failure',
      actor: { type: 'user', id: viewer.userId },
    });
  });

  it('records sign-up and sign-in in the organization they concern', async () => {
    const user = await signup(suite.app);
    const login = await call('POST', '/v1/auth/login', undefined, { email: user.email, password: STRONG_PASSWORD });
    expect(login.statusCode).toBe(200);
    const actions = (await events(user.token)).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.signup', 'auth.login']));
  });
});

describe('GET /v1/audit-events', () => {
  it('pages newest first without gaps or duplicates, and filters', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 7);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await call('GET', `/v1/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`, user.token);
      expect(response.statusCode).toBe(200);
      seen.push(...response.json().data.map((event: { seq: number }) => event.seq));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen[0]).toBe(seen.length);

    expect((await events(user.token, '&action=contact.create')).length).toBe(7);
    expect(
      await events(user.token, `&actorId=${user.userId}&action=contact.create&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`),
    ).toEqual([]);
  });

  it('rejects bad filters with problem details', async () => {
    const user = await signup(suite.app);
    for (const query of [
      'action=DROP TABLE',
      'from=yesterday',
      'limit=0',
      'cursor=***',
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    ]) {
      const response = await call('GET', `/v1/audit-events?${query}`, user.token);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('needs a credential and audit:read: auditors read it, members and viewers do not', async () => {
    const user = await signup(suite.app);
    expect((await call('GET', '/v1/audit-events')).statusCode).toBe(401);
    for (const role of ['member', 'viewer'] as const) {
      const other = await addMember(suite.app, user, role);
      for (const path of ['/v1/audit-events', '/v1/audit-events/verify', '/v1/audit-events/export?format=csv']) {
        const response = await call('GET', path, other.token);
        expect(response.statusCode).toBe(403);
        expect(response.json()).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    const auditor = await addMember(suite.app, user, 'auditor');
    expect((await call('GET', '/v1/audit-events', auditor.token)).statusCode).toBe(200);
  });

  it('shows one organization nothing of another', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    const [contactId] = await someContacts(first, 1);
    expect(await events(second.token, `&targetId=${contactId}`)).toEqual([]);
    const orgsSeen = new Set((await events(second.token)).map((event) => event.actor.id));
    expect(orgsSeen.has(first.userId)).toBe(false);
  });
});

describe('GET /v1/audit-events/export', () => {
  it('streams CSV and JSON Lines, oldest first with hashes, and audits the export', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    const jsonl = await call('GET', '/v1/audit-events/export?format=jsonl', user.token);
    expect(jsonl.statusCode).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(jsonl.headers['content-disposition']).toMatch(/attachment; filename="audit-events.jsonl"/);
    const lines = jsonl.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, index) => index + 1));
    expect(lines[1].prevHash).toBe(lines[0].hash);

    const csv = await call('GET', '/v1/audit-events/export?format=csv&action=contact.create', user.token);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toMatch(/^seq,id,occurredAt,actorType,actorId,action,/);
    expect(rows).toHaveLength(4);

    const exported = await events(user.token, '&action=audit-events.export');
    expect(exported.map((event) => event.requestId)).toEqual([csv.headers['x-request-id'], jsonl.headers['x-request-id']]);
  });

  it('refuses an unknown format', async () => {
    const user = await signup(suite.app);
    const response = await call('GET', '/v1/audit-events/export?format=xml', user.token);
    expect(response.statusCode).toBe(400);
  });
});

describe('tamper evidence', () => {
  it('verifies an intact chain', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    const result = await verify(user.token);
    expect(result).toMatchObject({ valid: true, checked: result.lastSeq });
    expect(result.lastSeq).toBeGreaterThanOrEqual(4);
    expect(result.firstBrokenSeq).toBeUndefined();
  });

  it('keeps the chain gapless and valid under concurrent writes to one org', async () => {
    const user = await signup(suite.app);
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => call('POST', '/v1/contacts', user.token, { firstName: `Concurrent${i}`, lastName: 'Writer' })),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array(16).fill(201));
    const result = await verify(user.token);
    expect(result).toMatchObject({ valid: true, checked: result.lastSeq });
    const seqs = (await events(user.token)).map((event) => event.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('hashes in the database exactly what the verifier recomputes, whatever the event text holds', async () => {
    const user = await signup(suite.app);
    const tricky = { note: 'é ☃ 𝄞 "seq":1, ? ?? \\ \'quoted\' \u0001', seq: 42, list: ['"target":null', '}{'] };
    const event = await suite.app.get(AuditLog).append({
      orgId: user.orgId,
      action: 'test.tricky',
      target: { type: 'contact', id: '"seq":7' },
      details: tricky,
    });
    expect(event.seq).toBeGreaterThan(1);
    const [stored] = await events(user.token, '&action=test.tricky');
    expect(stored).toMatchObject({ seq: event.seq, details: tricky });
    expect(await verify(user.token)).toMatchObject({ valid: true, checked: event.seq });
  });

  it('reports the first altered row', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 5);
    await asOwnerWithoutTrigger(suite.db, `update audit_events set action = 'contact.read' where org_id = $1 and seq = 3`, [user.orgId]);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });

  it('reports a row deleted from the middle', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 5);
    await asOwnerWithoutTrigger(suite.db, 'delete from audit_events where org_id = $1 and seq = 4', [user.orgId]);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('reports deleted newest rows, even when the chain head was rewritten to match, through the signed checkpoint', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 5);
    const result = await suite.app.get(Jobs).runNow('audit-checkpoint');
    expect(result.status).toBe('succeeded');
    const { lastSeq } = await verify(user.token);
    expect(lastSeq).toBe(6);

    await asOwnerWithoutTrigger(suite.db, 'delete from audit_events where org_id = $1 and seq > 4', [user.orgId]);
    await suite.db.query(
      `update audit_chain_heads set last_seq = 4, last_hash = (select hash from audit_events where org_id = $1 and seq = 4) where org_id = $1`,
      [user.orgId],
    );
    const broken = await verify(user.token);
    expect(broken).toMatchObject({ valid: false, firstBrokenSeq: 5, checkpoint: { seq: 6, signatureValid: true } });
  });

  it('reports deleted newest rows against the chain head even before a checkpoint', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    await asOwnerWithoutTrigger(suite.db, 'delete from audit_events where org_id = $1 and seq = 4', [user.orgId]);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('refuses a forged checkpoint signature', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 2);
    await suite.app.get(Jobs).runNow('audit-checkpoint');
    await suite.db.query(`update audit_checkpoints set signature = $2 where org_id = $1`, [
      user.orgId,
      Buffer.alloc(64).toString('base64'),
    ]);
    expect(await verify(user.token)).toMatchObject({ valid: false, checkpoint: { signatureValid: false } });
  });
});

describe('incremental verification after signed checkpoints', () => {
  async function checkpointNow(): Promise<Record<string, number>> {
    const run = await suite.app.get(Jobs).runNow('audit-checkpoint');
    expect(run.status).toBe('succeeded');
    return run.status === 'succeeded' ? run.counts : {};
  }

  async function checkpointsOf(orgId: string): Promise<{ seq: number; verifiedFromSeq: number | null }[]> {
    const { rows } = await suite.db.query(
      'select seq::int, verified_from_seq::int as "verifiedFromSeq" from audit_checkpoints where org_id = $1 order by seq',
      [orgId],
    );
    return rows;
  }

  it('recomputes only the events after the newest checkpoint, which links back to the previous one', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    await checkpointNow();
    const first = await verify(user.token);
    expect(first).toMatchObject({ valid: true, checked: 0, checkpointedThrough: first.lastSeq, checkpoint: { seq: first.lastSeq } });

    await someContacts(user, 4);
    const second = await verify(user.token);
    expect(second).toMatchObject({ valid: true, checkpointedThrough: first.lastSeq, checked: second.lastSeq - first.lastSeq });
    await checkpointNow();
    expect(await checkpointsOf(user.orgId)).toEqual([
      { seq: first.lastSeq, verifiedFromSeq: 0 },
      { seq: second.lastSeq, verifiedFromSeq: first.lastSeq },
    ]);
    expect(await verify(user.token)).toMatchObject({ valid: true, checked: 0, checkpointedThrough: second.lastSeq });
  });

  it('signs no checkpoint over a broken chain, and the verification shows the break', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 2);
    await checkpointNow();
    await someContacts(user, 3);
    const { lastSeq } = await verify(user.token);
    await asOwnerWithoutTrigger(suite.db, `update audit_events set action = 'contact.read' where org_id = $1 and seq = $2`, [
      user.orgId,
      lastSeq - 1,
    ]);
    const before = await checkpointsOf(user.orgId);
    const counts = await checkpointNow();
    expect(counts.chainsBroken).toBeGreaterThanOrEqual(1);
    expect(await checkpointsOf(user.orgId)).toEqual(before);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: lastSeq - 1 });
  });

  it('reports a checkpointed event whose hash was rewritten at that checkpoint', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    await checkpointNow();
    const { lastSeq } = await verify(user.token);
    await someContacts(user, 2);
    await asOwnerWithoutTrigger(suite.db, `update audit_events set hash = repeat('f', 64) where org_id = $1 and seq = $2`, [
      user.orgId,
      lastSeq,
    ]);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: lastSeq, checkpointedThrough: 0 });
  });

  it('reports an event deleted between two checkpoints, which leaves every checkpointed event intact', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 3);
    await checkpointNow();
    const { lastSeq: first } = await verify(user.token);
    await someContacts(user, 3);
    await checkpointNow();
    await asOwnerWithoutTrigger(suite.db, 'delete from audit_events where org_id = $1 and seq = $2', [user.orgId, first - 1]);
    expect(await verify(user.token)).toMatchObject({ valid: false, firstBrokenSeq: first - 1, checkpointedThrough: 0 });
  });

  it('lets only one checkpoint extend another, so overlapping runs cannot fork the checkpoint chain', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 2);
    await checkpointNow();
    const [signed] = await checkpointsOf(user.orgId);
    await someContacts(user, 1);
    await checkpointNow();
    // What a second, overlapping run would insert: another successor of the same checkpoint.
    const { rowCount } = await suite.db.query(
      `insert into audit_checkpoints (org_id, seq, hash, key_id, signature, verified_from_seq, verified_from_hash)
       select org_id, seq + 100, hash, key_id, signature, seq, hash from audit_checkpoints where org_id = $1 and seq = $2
       on conflict do nothing`,
      [user.orgId, signed.seq],
    );
    expect(rowCount).toBe(0);
    expect(await verify(user.token)).toMatchObject({ valid: true });
  });

  it('reports a checkpoint removed from the middle of the signed checkpoint chain', async () => {
    const user = await signup(suite.app);
    const seqs: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      await someContacts(user, 1);
      await checkpointNow();
      seqs.push((await verify(user.token)).lastSeq);
    }
    await suite.db.query('delete from audit_checkpoints where org_id = $1 and seq = $2', [user.orgId, seqs[1]]);
    const result = await verify(user.token);
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: seqs[0] + 1, checkpointedThrough: seqs[0] });
  });
});

describe('append-only in the database', () => {
  async function asRuntimeRole(orgId: string, sql: string): Promise<unknown> {
    await suite.db.query('begin');
    try {
      await suite.db.query('set local role atrium_app');
      await suite.db.query(`select set_config('app.org_id', $1, true)`, [orgId]);
      return await suite.db.query(sql, sql.includes('$1') ? [orgId] : []);
    } finally {
      await suite.db.query('rollback');
    }
  }

  it('the runtime role can read its org’s events but neither update nor delete them', async () => {
    const user = await signup(suite.app);
    await someContacts(user, 1);
    const read = (await asRuntimeRole(user.orgId, 'select count(*)::int as n from audit_events where org_id = $1')) as {
      rows: { n: number }[];
    };
    expect(read.rows[0].n).toBeGreaterThan(0);
    await expect(asRuntimeRole(user.orgId, `update audit_events set action = 'x' where org_id = $1`)).rejects.toThrow(/permission denied/);
    await expect(asRuntimeRole(user.orgId, 'delete from audit_events where org_id = $1')).rejects.toThrow(/permission denied/);
    await expect(asRuntimeRole(user.orgId, 'truncate audit_events')).rejects.toThrow(/permission denied/);
  });

  it('the trigger refuses updates, deletes and truncation even from the owner', async () => {
    const user = await signup(suite.app);
    for (const sql of [`update audit_events set action = 'x' where org_id = $1`, 'delete from audit_events where org_id = $1']) {
      await expect(suite.db.query(sql, [user.orgId])).rejects.toThrow(/append-only/);
    }
    await expect(suite.db.query('truncate audit_events')).rejects.toThrow(/append-only/);
  });

  it('the runtime role cannot prune another organization’s chain', async () => {
    const first = await signup(suite.app);
    const second = await signup(suite.app);
    await expect(
      (async () => {
        await suite.db.query('begin');
        try {
          await suite.db.query('set local role atrium_app');
          await suite.db.query(`select set_config('app.org_id', $1, true)`, [second.orgId]);
          await suite.db.query('select audit_prune($1, 1)', [first.orgId]);
        } finally {
          await suite.db.query('rollback');
        }
      })(),
    ).rejects.toThrow(/not the current organization/);
  });
});
