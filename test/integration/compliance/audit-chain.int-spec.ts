import { AuditEventsService, AuditLog, AuditModule, ChainVerification } from '../../../src/compliance/audit';
import { chainHash } from '../../../src/compliance/audit/audit-chain';
import { AuditRow, eventOf } from '../../../src/compliance/audit/audit-chain.repository';
import { AuditCheckpoints } from '../../../src/compliance/audit/audit-checkpoint.job';
import { GENESIS } from '../../../src/compliance/audit/chain-verifier';
import { TenantDatabase } from '../../../src/tenancy';
import { useIntegrationModule } from '../support/integration-module';
import { SeededOrganization, createOrganization } from '../support/seed';

/**
 * The per-org audit hash chain (src/compliance/audit) without HTTP: AuditLog appends, the quick
 * verification (AuditEventsService.verify) and the signed checkpoints (AuditCheckpoints), with
 * the chain tampered with as the table owner would (the append-only trigger off for one transaction).
 */
const suite = useIntegrationModule({ imports: [AuditModule] });

async function appendEvents(org: SeededOrganization, count: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const event = await suite
      .get(AuditLog)
      .append({ orgId: org.orgId, action: 'test.event', target: { type: 'contact', id: `c${i}` }, details: { i } });
    seqs.push(event.seq);
  }
  return seqs;
}

function verify(org: SeededOrganization): Promise<ChainVerification> {
  return suite.asTenant(org.orgId, () => suite.get(AuditEventsService).verify());
}

async function eventsOf(org: SeededOrganization): Promise<AuditRow[]> {
  return (await suite.db.query('select * from audit_events where org_id = $1 order by seq', [org.orgId])).rows;
}

/** What an attacker with the owner's rights could do: `sql` with the append-only trigger off, for this transaction only. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await suite.db.query('begin');
  try {
    await suite.db.query('set local session_replication_role = replica');
    await suite.db.query(sql, params);
    await suite.db.query('commit');
  } catch (error) {
    await suite.db.query('rollback');
    throw error;
  }
}

async function checkpointsOf(org: SeededOrganization): Promise<{ seq: number; verifiedFromSeq: number | null }[]> {
  const { rows } = await suite.db.query(
    'select seq::int, verified_from_seq::int as "verifiedFromSeq" from audit_checkpoints where org_id = $1 order by seq',
    [org.orgId],
  );
  return rows;
}

describe('the audit chain (integration)', () => {
  describe('append', () => {
    it('appends gapless seqs, each event hashed over its predecessor’s hash, and moves the chain head', async () => {
      const org = await createOrganization(suite);
      const seqs = await appendEvents(org, 3);
      // Seq 1 is the organization.created security event the org's creation appended.
      expect(seqs).toEqual([2, 3, 4]);
      const rows = await eventsOf(org);
      expect(rows.map((row) => Number(row.seq))).toEqual([1, 2, 3, 4]);
      expect(rows[0]).toMatchObject({ action: 'organization.created', prev_hash: GENESIS.hash });
      for (let i = 0; i < rows.length; i += 1) {
        const prev = i === 0 ? GENESIS.hash : rows[i - 1].hash;
        expect({ seq: rows[i].seq, prev: rows[i].prev_hash, hash: rows[i].hash }).toEqual({
          seq: rows[i].seq,
          prev,
          hash: chainHash(prev, eventOf(rows[i])),
        });
      }
      const { rows: heads } = await suite.db.query('select last_seq::int, last_hash from audit_chain_heads where org_id = $1', [org.orgId]);
      expect(heads).toEqual([{ last_seq: 4, last_hash: rows[3].hash }]);
    });

    it('keeps the chain gapless under concurrent appends to one org', async () => {
      const org = await createOrganization(suite);
      const events = await Promise.all(
        Array.from({ length: 12 }, (_, i) => suite.get(AuditLog).append({ orgId: org.orgId, action: 'test.concurrent', details: { i } })),
      );
      expect(events.map((event) => event.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
      expect(await verify(org)).toMatchObject({ valid: true, checked: 13, lastSeq: 13 });
    });

    it('rolls back with the transaction of the org it joins, leaving the chain as it was', async () => {
      const org = await createOrganization(suite);
      const failing = suite.get(TenantDatabase).forOrganization(org.orgId, async () => {
        await suite.get(AuditLog).append({ orgId: org.orgId, action: 'test.rolled-back' });
        throw new Error('the work failed');
      });
      await expect(failing).rejects.toThrow('the work failed');
      expect((await eventsOf(org)).map((row) => row.action)).toEqual(['organization.created']);
      const next = await suite.get(AuditLog).append({ orgId: org.orgId, action: 'test.after' });
      expect(next.seq).toBe(2);
      expect(await verify(org)).toMatchObject({ valid: true, lastSeq: 2 });
    });
  });

  describe('verify', () => {
    it('finds an intact chain valid, recomputing every event', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 4);
      expect(await verify(org)).toMatchObject({ valid: true, checked: 5, lastSeq: 5, checkpointedThrough: 0, checkpoint: null });
    });

    it('names the seq of a row altered in place', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 5);
      await tamper(`update audit_events set action = 'contact.read' where org_id = $1 and seq = 3`, [org.orgId]);
      expect(await verify(org)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    });

    it('names the seq of a row deleted from the middle, and of the newest rows cut off past the head', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 5);
      await tamper('delete from audit_events where org_id = $1 and seq = 4', [org.orgId]);
      expect(await verify(org)).toMatchObject({ valid: false, firstBrokenSeq: 4 });

      const other = await createOrganization(suite);
      await appendEvents(other, 3);
      await tamper('delete from audit_events where org_id = $1 and seq = 4', [other.orgId]);
      expect(await verify(other)).toMatchObject({ valid: false, firstBrokenSeq: 4 });
    });

    it('verifies one org’s chain whatever another org’s chain holds', async () => {
      const broken = await createOrganization(suite);
      const intact = await createOrganization(suite);
      await appendEvents(broken, 2);
      await appendEvents(intact, 2);
      await tamper(`update audit_events set details = '{"i": 99}' where org_id = $1 and seq = 2`, [broken.orgId]);
      expect(await verify(broken)).toMatchObject({ valid: false, firstBrokenSeq: 2 });
      expect(await verify(intact)).toMatchObject({ valid: true, lastSeq: 3 });
    });
  });

  describe('checkpoints', () => {
    it('signs the head, then recomputes only what came after it; the next checkpoint links back to the previous one', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 3);
      const checkpoints = suite.get(AuditCheckpoints);
      expect(await checkpoints.checkpoint(org.orgId)).toBe('signed');
      expect(await checkpoints.checkpoint(org.orgId)).toBe('unchanged');
      expect(await verify(org)).toMatchObject({
        valid: true,
        checked: 0,
        checkpointedThrough: 4,
        checkpoint: { seq: 4, signatureValid: true },
      });

      await appendEvents(org, 2);
      expect(await verify(org)).toMatchObject({ valid: true, checked: 2, checkpointedThrough: 4, lastSeq: 6 });
      expect(await checkpoints.checkpoint(org.orgId)).toBe('signed');
      expect(await checkpointsOf(org)).toEqual([
        { seq: 4, verifiedFromSeq: 0 },
        { seq: 6, verifiedFromSeq: 4 },
      ]);
      expect(await verify(org)).toMatchObject({ valid: true, checked: 0, checkpointedThrough: 6 });
    });

    it('signs nothing over a broken chain, and the verification still shows the break', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 2);
      await suite.get(AuditCheckpoints).checkpoint(org.orgId);
      await appendEvents(org, 3);
      await tamper(`update audit_events set action = 'contact.read' where org_id = $1 and seq = 5`, [org.orgId]);
      expect(await suite.get(AuditCheckpoints).checkpoint(org.orgId)).toBe('broken');
      expect(await checkpointsOf(org)).toEqual([{ seq: 3, verifiedFromSeq: 0 }]);
      expect(await verify(org)).toMatchObject({ valid: false, firstBrokenSeq: 5 });
    });

    it('shows the newest rows deleted even with the chain head rewritten to match, through the signed checkpoint', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 5);
      await suite.get(AuditCheckpoints).checkpoint(org.orgId);
      await tamper('delete from audit_events where org_id = $1 and seq > 4', [org.orgId]);
      await suite.db.query(
        'update audit_chain_heads set last_seq = 4, last_hash = (select hash from audit_events where org_id = $1 and seq = 4) where org_id = $1',
        [org.orgId],
      );
      expect(await verify(org)).toMatchObject({ valid: false, firstBrokenSeq: 5, checkpoint: { seq: 6, signatureValid: true } });
    });

    it('refuses a forged checkpoint signature', async () => {
      const org = await createOrganization(suite);
      await appendEvents(org, 2);
      await suite.get(AuditCheckpoints).checkpoint(org.orgId);
      await suite.db.query('update audit_checkpoints set signature = $2 where org_id = $1', [
        org.orgId,
        Buffer.alloc(64).toString('base64'),
      ]);
      expect(await verify(org)).toMatchObject({ valid: false, checkpoint: { seq: 3, signatureValid: false } });
    });
  });
});
