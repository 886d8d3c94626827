import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { JobCounts, Jobs } from '../../platform/jobs';
import { Signer } from '../../platform/signing';
import { checkpointMessage } from './audit-chain';
import { AuditChainRepository, ChainPoint, CheckpointRow } from './audit-chain.repository';
import { GENESIS, walkSegment } from './chain-verifier';

export const AUDIT_CHECKPOINT_JOB = 'audit-checkpoint';

type CheckpointPlan =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'broken'; readonly seq: number; readonly why: string }
  | { readonly kind: 'sign'; readonly point: ChainPoint; readonly from: ChainPoint };

/**
 * Hourly, each org whose chain grew gets an Ed25519-signed checkpoint of its newest (seq, hash),
 * signed only after the chain since the previous checkpoint was recomputed and found intact: the
 * signature covers that previous point too, so the checkpoints form a signed chain and a
 * verification need only recompute what came after the newest one (chain-verifier.ts). Rewriting
 * the chain head after deleting the newest events cannot forge a signature, so /verify notices the
 * truncation. A chain found broken is not signed; the run counts it and logs the seq.
 */
@Injectable()
export class AuditCheckpoints implements OnModuleInit {
  private readonly logger = new Logger(AuditCheckpoints.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly signer: Signer,
    private readonly jobs: Jobs,
    private readonly chain: AuditChainRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: AUDIT_CHECKPOINT_JOB,
      description: 'Sign a checkpoint of every organization’s audit chain that grew since the last one, after verifying what it added',
      schedule: this.config.compliance.schedules.auditCheckpoint,
      run: () => this.checkpointAll(),
    });
  }

  async checkpointAll(): Promise<JobCounts> {
    let signed = 0;
    let broken = 0;
    const organizations = await this.jobs.forEachOrganization(AUDIT_CHECKPOINT_JOB, async (orgId) => {
      const outcome = await this.checkpoint(orgId);
      if (outcome === 'signed') signed += 1;
      if (outcome === 'broken') broken += 1;
    });
    return { organizations, checkpointsSigned: signed, chainsBroken: broken };
  }

  /**
   * Verifies the org's chain from its newest v2 checkpoint (when that still verifies and still
   * names its event) or from the chain's start, up to the head, and signs the head if it moved.
   */
  async checkpoint(orgId: string): Promise<'signed' | 'unchanged' | 'broken'> {
    // Read and recomputed in one snapshot, so that a retention prune committed midway cannot look
    // like a break; signed and stored afterwards (a second run's successor of the same checkpoint
    // is refused by the unique index on verified_from_seq).
    const plan = await this.database.snapshotOf(orgId, async (em): Promise<CheckpointPlan> => {
      const head = await this.chain.head(em, orgId);
      const checkpoints = await this.chain.checkpoints(em, orgId);
      const newest = checkpoints[checkpoints.length - 1];
      if (!head || head.last.seq <= (newest?.seq ?? 0)) return { kind: 'unchanged' };
      const from = await this.verifiedStart(em, orgId, head.prunedThrough, checkpoints);
      if (!from) return { kind: 'broken', seq: newest.seq, why: 'its newest checkpoint no longer verifies' };
      const segment = await walkSegment(from, head.last.seq, (fromSeq, limit) => this.chain.events(em, orgId, fromSeq, limit));
      if (segment.firstBrokenSeq !== undefined || segment.last.hash !== head.last.hash) {
        return { kind: 'broken', seq: segment.firstBrokenSeq ?? head.last.seq, why: 'the chain does not recompute' };
      }
      return { kind: 'sign', point: head.last, from };
    });
    if (plan.kind === 'unchanged') return 'unchanged';
    if (plan.kind === 'broken') return this.broken(orgId, plan.seq, plan.why);
    const signature = await this.signer.sign(checkpointMessage(orgId, plan.point.seq, plan.point.hash, plan.from));
    await this.database.forOrganization(orgId, (em) =>
      this.chain.insertCheckpoint(em, orgId, {
        point: plan.point,
        verifiedFrom: plan.from,
        keyId: signature.keyId,
        signature: signature.value,
      }),
    );
    return 'signed';
  }

  /**
   * Where this checkpoint's verification starts: the newest v2 checkpoint if its signature verifies
   * and its event still carries the signed hash, the chain's start if there is none yet (or it lies
   * before what retention pruned), and null when the newest v2 checkpoint fails (the chain of
   * checkpoints is broken: signing past it would hide that).
   */
  private async verifiedStart(
    em: EntityManager,
    orgId: string,
    prunedThrough: ChainPoint,
    checkpoints: readonly CheckpointRow[],
  ): Promise<ChainPoint | null> {
    const start = prunedThrough.seq > 0 ? prunedThrough : GENESIS;
    const latest = [...checkpoints].reverse().find((checkpoint) => checkpoint.verifiedFrom !== null);
    if (!latest || latest.seq <= start.seq) return start;
    const signed = await this.signer.verify(checkpointMessage(orgId, latest.seq, latest.hash, latest.verifiedFrom), {
      keyId: latest.keyId,
      value: latest.signature,
    });
    const [event] = await this.chain.events(em, orgId, latest.seq, 1);
    return signed && event && Number(event.seq) === latest.seq && event.hash === latest.hash
      ? { seq: latest.seq, hash: latest.hash }
      : null;
  }

  private broken(orgId: string, seq: number, why: string): 'broken' {
    this.logger.error({ orgId, seq }, `audit chain of an organization is broken (${why}): no checkpoint signed`);
    return 'broken';
  }
}
