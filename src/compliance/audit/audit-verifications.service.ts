import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, NotFoundError, Page, PageQuery, canonicalJson, decodeCursor, toPage } from '@app/http';
import { RequestContext } from '@app/request-context';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { BackgroundTasks, JobCounts, Jobs } from '../../platform/jobs';
import { Signer } from '../../platform/signing';
import { AuditChainRepository, ChainPoint } from './audit-chain.repository';
import { AuditVerificationRow, AuditVerificationsRepository } from './audit-verifications.repository';
import { GENESIS, SegmentOutcome, walkSegment } from './chain-verifier';
import { CheckpointLedger } from './checkpoint-ledger.service';
import { AuditVerificationView } from './dto/audit-verification.dto';

export const AUDIT_VERIFICATIONS_JOB = 'audit-verifications';
/** The background task (platform/jobs/background-tasks.service.ts) that runs one verification. */
const AUDIT_VERIFICATION_TASK = 'audit-verification';

/** A claim lasts this long unless the run renews it, which it does after every batch (a few hundred ms). */
const LEASE_SECONDS = 60;
/** A run that failed this many claims (its instance kept dying, or the database kept failing it) is given up. */
const MAX_ATTEMPTS = 5;

/** Thrown from a progress save to end a run early: this instance is stopping, or another took the run over. */
class RunInterrupted extends Error {}

/**
 * Full re-verification of an org's audit chain, from its start (or where retention pruned it) to
 * the head at the time the run starts, in the background: the cost of a long history never sits in
 * an HTTP request, and never in one snapshot. It recomputes every event, which the incremental
 * GET /v1/audit-events/verify takes on trust from signed checkpoints, so it also finds an old event
 * edited in place with its stored hash left as it was. A run is queued on the durable work queue
 * once its request commits and any instance runs it. Progress is saved after every batch; the
 * `audit-verifications` job picks up runs whose start was lost and resumes, from the saved point,
 * those whose instance died. The outcome is signed with the compliance signing key.
 */
@Injectable()
export class AuditVerifications implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditVerifications.name);
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    private readonly jobs: Jobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly context: RequestContext,
    private readonly signer: Signer,
    private readonly ledger: CheckpointLedger,
    private readonly tasks: BackgroundTasks,
    private readonly verifications: AuditVerificationsRepository,
    private readonly chain: AuditChainRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: AUDIT_VERIFICATIONS_JOB,
      description: 'Runs full audit-chain verifications whose start was lost, and resumes those whose instance died',
      schedule: this.config.compliance.schedules.auditVerifications,
      run: () => this.processWaiting(),
    });
    this.tasks.register(AUDIT_VERIFICATION_TASK, (orgId, id) => this.runQueued(orgId, id));
  }

  /** Runs in flight stop at their next batch, saving where they got to, and are left to another instance. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  async create(): Promise<AuditVerificationView> {
    const orgId = this.context.requireOrgId();
    const principal = this.context.principal;
    const requestedBy = { type: principal?.type ?? 'system', id: principal?.id ?? null };
    const row = await this.database.transaction(async (em) => {
      const inserted = await this.verifications.insertUnlessOpen(em, { id: uuidv7(), orgId, requestedBy });
      if (!inserted) {
        const open = await this.verifications.open(em, orgId);
        throw new ConflictError(
          'AUDIT_VERIFICATION_IN_PROGRESS',
          `A full verification of this organization's audit chain is already ${open?.status ?? 'open'}${open ? ` (${open.id})` : ''}; wait for it to finish.`,
        );
      }
      await this.database.afterCommit(async () => this.startSoon(orgId, inserted.id));
      return inserted;
    });
    return viewOf(row);
  }

  async get(id: string): Promise<AuditVerificationView> {
    const orgId = this.context.requireOrgId();
    const row = await this.database.transaction((em) => this.verifications.byId(em, orgId, id));
    if (!row) throw new NotFoundError('VERIFICATION_NOT_FOUND', 'No such audit verification in this organization.');
    return viewOf(row);
  }

  async list(query: PageQuery): Promise<Page<AuditVerificationView>> {
    const orgId = this.context.requireOrgId();
    const rows = await this.database.transaction((em) => this.verifications.page(em, orgId, decodeCursor(query.cursor), query.limit + 1));
    return toPage(rows, query.limit, viewOf);
  }

  /** Queues a just-committed run without holding up the response that created it. */
  private startSoon(orgId: string, id: string): void {
    const queued = this.tasks.start(AUDIT_VERIFICATION_TASK, orgId, id).then(
      () => 'succeeded' as const,
      (error: unknown) => {
        this.logger.error({ err: error, auditVerificationId: id }, 'audit verification could not be queued; the job picks it up');
        return 'failed' as const;
      },
    );
    this.running.add(queued);
    void queued.finally(() => this.running.delete(queued));
  }

  /** The queued task: claims the run and takes it to the end; an interrupted or failed run is retried from its saved point. */
  private async runQueued(orgId: string, id: string): Promise<void> {
    const row = await this.database.forOrganization(orgId, (em) => this.verifications.claim(em, orgId, id, LEASE_SECONDS));
    if (!row) return; // finished, or another instance holds it
    const outcome = await this.track(this.run(row), id);
    if (outcome !== 'succeeded') throw new Error(`Audit verification ${id} ${outcome}; it resumes from its saved point`);
  }

  /**
   * One pass over the organizations with an open run (not every organization: a pass then costs
   * what waits, however many orgs there are): claims and runs each waiting or abandoned one in turn.
   */
  async processWaiting(): Promise<JobCounts> {
    const counts = { organizations: 0, succeeded: 0, interrupted: 0, failed: 0 };
    for (const orgId of await this.database.global((em) => this.verifications.organizationsWithOpenRuns(em))) {
      counts.organizations += 1;
      for (;;) {
        if (this.stopping) return counts;
        const row = await this.database.forOrganization(orgId, (em) => this.verifications.claimNext(em, orgId, LEASE_SECONDS));
        if (!row) break;
        const outcome = await this.track(this.run(row), row.id);
        counts[outcome] += 1;
        if (outcome === 'interrupted') break;
      }
    }
    return counts;
  }

  private track(work: Promise<unknown>, id: string): Promise<'succeeded' | 'interrupted' | 'failed'> {
    const settled = work.then(
      (outcome) => (outcome === 'interrupted' || outcome === 'failed' ? outcome : 'succeeded'),
      (error: unknown) => {
        this.logger.error({ err: error, auditVerificationId: id }, 'audit verification could not run; its lease hands it on');
        return 'failed' as const;
      },
    );
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return settled;
  }

  /** Runs a claimed verification from its saved point to the end, or until this instance stops. */
  private async run(row: AuditVerificationRow): Promise<'succeeded' | 'interrupted' | 'failed'> {
    const orgId = row.org_id;
    const attempt = row.attempts;
    if (attempt > MAX_ATTEMPTS) {
      await this.database.forOrganization(orgId, (em) =>
        this.verifications.fail(em, orgId, row.id, `gave up after ${MAX_ATTEMPTS} attempts`),
      );
      return 'failed';
    }
    const started = await this.startingPoint(row);
    const { throughSeq } = started;
    let { fromSeq, position, checked } = started;
    let start = started.start;
    const save = (sofar: SegmentOutcome) =>
      this.database.forOrganization(orgId, async (em) => {
        const progress = { fromSeq, fromHash: start.hash, throughSeq, position: sofar.last, checked: checked + sofar.checked };
        if (!(await this.verifications.saveProgress(em, orgId, row.id, attempt, progress, LEASE_SECONDS)))
          throw new RunInterrupted('taken over');
        if (this.stopping) throw new RunInterrupted('stopping');
      });
    for (;;) {
      let segment: SegmentOutcome;
      try {
        segment = await walkSegment(
          position,
          throughSeq,
          (seq, limit) => this.database.forOrganization(orgId, (em) => this.chain.events(em, orgId, seq, limit)),
          save,
        );
      } catch (error) {
        if (!(error instanceof RunInterrupted)) throw error;
        if (this.stopping) await this.database.forOrganization(orgId, (em) => this.verifications.release(em, orgId, row.id, attempt));
        return 'interrupted';
      }
      checked += segment.checked;
      // Retention may prune the chain's oldest events while a run walks it: start again from the new start.
      const head = segment.firstBrokenSeq === undefined ? undefined : await this.head(orgId);
      if (head && head.prunedThrough.seq >= segment.firstBrokenSeq! - 1 && head.prunedThrough.seq > position.seq) {
        fromSeq = head.prunedThrough.seq;
        position = head.prunedThrough;
        start = head.prunedThrough;
        checked = 0;
        continue;
      }
      // The recomputed chain against the signed checkpoints: a chain rewritten with every hash
      // recomputed is internally consistent, but no longer carries the signed hashes.
      const reading = await this.database.forOrganization(orgId, (em) => this.ledger.read(em, orgId));
      const broken = [segment.firstBrokenSeq, reading.anchor.brokenSeq, reading.mismatchSeq, reading.startBrokenSeq].filter(
        (seq): seq is number => seq !== undefined,
      );
      await this.finish(row, attempt, {
        fromSeq,
        fromHash: start.hash,
        throughSeq,
        throughHash: segment.firstBrokenSeq === undefined ? segment.last.hash : null,
        checked,
        firstBrokenSeq: broken.length > 0 ? Math.min(...broken) : null,
      });
      return 'succeeded';
    }
  }

  /** Where a claimed run continues: its saved point, or (first claim) the chain's start and head now. */
  private async startingPoint(
    row: AuditVerificationRow,
  ): Promise<{ fromSeq: number; start: ChainPoint; throughSeq: number; position: ChainPoint; checked: number }> {
    if (
      row.through_seq !== null &&
      row.from_seq !== null &&
      row.from_hash !== null &&
      row.position_seq !== null &&
      row.position_hash !== null
    ) {
      return {
        fromSeq: Number(row.from_seq),
        start: { seq: Number(row.from_seq), hash: row.from_hash },
        throughSeq: Number(row.through_seq),
        position: { seq: Number(row.position_seq), hash: row.position_hash },
        checked: Number(row.checked),
      };
    }
    const head = await this.head(row.org_id);
    const start = head && head.prunedThrough.seq > 0 ? head.prunedThrough : GENESIS;
    const point = { fromSeq: start.seq, start, throughSeq: head?.last.seq ?? 0, position: start, checked: 0 };
    // Saved at once, so that the run shows its total from the start and a resumed run covers the same range.
    await this.database.forOrganization(row.org_id, (em) =>
      this.verifications.saveProgress(em, row.org_id, row.id, row.attempts, { ...point, fromHash: start.hash }, LEASE_SECONDS),
    );
    return point;
  }

  private head(orgId: string) {
    return this.database.forOrganization(orgId, (em) => this.chain.head(em, orgId));
  }

  private async finish(
    row: AuditVerificationRow,
    attempt: number,
    result: {
      fromSeq: number;
      fromHash: string;
      throughSeq: number;
      throughHash: string | null;
      checked: number;
      firstBrokenSeq: number | null;
    },
  ): Promise<void> {
    const outcome = { ...result, valid: result.firstBrokenSeq === null, finishedAt: new Date().toISOString() };
    const signedPayload = canonicalJson({ type: 'atrium-audit-verification', id: row.id, organizationId: row.org_id, ...outcome });
    const signature = await this.signer.sign(signedPayload);
    await this.database.forOrganization(row.org_id, (em) =>
      this.verifications.finish(em, row.org_id, row.id, attempt, {
        ...outcome,
        signedPayload,
        keyId: signature.keyId,
        signature: signature.value,
      }),
    );
  }
}

function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function viewOf(row: AuditVerificationRow): AuditVerificationView {
  const done =
    row.status === 'succeeded' && row.valid !== null && row.from_seq !== null && row.from_hash !== null && row.through_seq !== null;
  return {
    id: row.id,
    status: row.status,
    requestedBy: { type: row.requested_by_type, id: row.requested_by_id },
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    progress: {
      checked: Number(row.checked),
      total: row.through_seq !== null && row.from_seq !== null ? Math.max(0, Number(row.through_seq) - Number(row.from_seq)) : null,
    },
    outcome: done
      ? {
          valid: row.valid as boolean,
          firstBrokenSeq: row.first_broken_seq === null ? null : Number(row.first_broken_seq),
          fromSeq: Number(row.from_seq),
          fromHash: row.from_hash as string,
          throughSeq: Number(row.through_seq),
          throughHash: row.through_hash,
        }
      : null,
    signature:
      done && row.signed_payload && row.key_id && row.signature
        ? { algorithm: 'ed25519', keyId: row.key_id, value: row.signature, signedPayload: row.signed_payload }
        : null,
    error: row.error,
  };
}
