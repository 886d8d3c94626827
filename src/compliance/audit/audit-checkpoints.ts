import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { JobCounts, Jobs } from '../jobs/jobs';
import { Signer } from '../signing/signer';
import { checkpointMessage } from './audit-chain';

export const AUDIT_CHECKPOINT_JOB = 'audit-checkpoint';

/**
 * Hourly, each org whose chain grew gets an Ed25519-signed checkpoint of its newest (seq, hash).
 * Rewriting the chain head after deleting the newest events cannot forge that signature, so
 * /verify notices the truncation.
 */
@Injectable()
export class AuditCheckpoints implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly signer: Signer,
    private readonly jobs: Jobs,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: AUDIT_CHECKPOINT_JOB,
      description: 'Sign a checkpoint of every organization’s audit chain that grew since the last one',
      schedule: this.config.compliance.schedules.auditCheckpoint,
      run: () => this.checkpointAll(),
    });
  }

  async checkpointAll(): Promise<JobCounts> {
    let signed = 0;
    const organizations = await this.jobs.forEachOrganization(AUDIT_CHECKPOINT_JOB, async (orgId) => {
      if (await this.checkpoint(orgId)) signed += 1;
    });
    return { organizations, checkpointsSigned: signed };
  }

  /** Signs the org's current head if it moved since the last checkpoint; true when it signed. */
  async checkpoint(orgId: string): Promise<boolean> {
    return this.database.forOrganization(orgId, async (em) => {
      const [head] = await em.execute<{ last_seq: string; last_hash: string }[]>(
        `select h.last_seq, h.last_hash from audit_chain_heads h
         where h.org_id = ? and h.last_seq > coalesce((select max(seq) from audit_checkpoints c where c.org_id = h.org_id), 0)`,
        [orgId],
      );
      if (!head) return false;
      const seq = Number(head.last_seq);
      const signature = await this.signer.sign(checkpointMessage(orgId, seq, head.last_hash));
      await em.execute(
        'insert into audit_checkpoints (org_id, seq, hash, key_id, signature) values (?, ?, ?, ?, ?) on conflict do nothing',
        [orgId, seq, head.last_hash, signature.keyId, signature.value],
      );
      return true;
    });
  }
}
