import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@app/request-context';
import { AuditEventsService, ChainVerification } from '../../audit';
import { ALERT_RULES_PATH, readAlertRules } from '../alert-rules';
import { EvidencePeriod } from '../evidence.types';
import { CheckOutcome, EvidenceCheck, EvidenceRow, periodParams } from '../evidence-check';
import { EvidenceChecksRepository } from './evidence-checks.repository';

const SYSTEM_PRINCIPAL = { type: 'system', id: 'evidence' } as const;

/**
 * CC7.2: the org's audit trail is intact (its hash chain verifies, as of collection time), what
 * it recorded in the period that monitoring watches (failed sign-ins, denied permission checks),
 * scheduled-job outcomes in the period (cluster-wide: jobs span orgs) and the alert rules in force.
 * A broken chain fails the check; a missing rules file is an exception (nothing to show).
 */
@Injectable()
export class MonitoringCheck implements EvidenceCheck {
  readonly id = 'monitoring';
  /** 2: the chain summary says how far a signed checkpoint vouched for it (incremental verification). */
  readonly version = 2;
  readonly criteria = ['CC7.2'];
  readonly description =
    'Audit chain verification, failed sign-ins and permission denials in the period, job outcomes, alert rules in force';

  constructor(
    private readonly auditEvents: AuditEventsService,
    private readonly context: RequestContext,
    private readonly repository: EvidenceChecksRepository,
  ) {}

  async collect(orgId: string, period: EvidencePeriod, em: EntityManager): Promise<CheckOutcome> {
    const chain = await this.verifyChain(orgId);
    const counts = await this.repository.securityEventCounts(em, orgId, period);
    const jobs = await this.repository.jobRunCounts(em, period);
    const rules = await readAlertRules();
    const population: EvidenceRow[] = (rules ?? []).map((rule) => ({ ...rule }));
    const exceptions: EvidenceRow[] = [];
    if (!chain.valid) exceptions.push({ reason: 'audit chain does not verify', firstBrokenSeq: chain.firstBrokenSeq ?? null });
    if (rules === null) exceptions.push({ reason: `alert rules file ${ALERT_RULES_PATH} not found`, firstBrokenSeq: null });
    return {
      source: `postgresql:audit_events,audit_chain_heads,audit_checkpoints,job_runs;file:${ALERT_RULES_PATH}`,
      queryParams: {
        orgId,
        ...periodParams(period),
        actions: ['auth.login.failed', 'permission.denied'],
        alertRulesPath: ALERT_RULES_PATH,
      },
      population,
      exceptions,
      summary: {
        chainValid: chain.valid,
        chainChecked: chain.checked,
        chainCheckpointedThrough: chain.checkpointedThrough,
        chainFirstBrokenSeq: chain.firstBrokenSeq ?? null,
        chainLastSeq: chain.lastSeq,
        chainCheckpointSeq: chain.checkpoint?.seq ?? null,
        failedLogins: counts.failedLogins,
        permissionDenials: counts.permissionDenials,
        jobRunsSucceeded: jobs.succeeded,
        jobRunsFailed: jobs.failed,
        alertRules: rules === null ? null : new Set(rules.map((rule) => rule.alert)).size,
      },
      result: !chain.valid ? 'fail' : exceptions.length > 0 ? 'exceptions' : 'pass',
    };
  }

  /** The audit log verifies the context's org; a job (or a request for its own org) names it here. */
  private verifyChain(orgId: string): Promise<ChainVerification> {
    const principal = this.context.orgId === orgId && this.context.principal ? this.context.principal : SYSTEM_PRINCIPAL;
    return this.context.runForTenant({ orgId, principal, permissions: new Set() }, () => this.auditEvents.verify(), this.context.requestId);
  }
}
