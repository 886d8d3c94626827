import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { TenantDatabase } from '../../tenancy';
import { EVIDENCE_CHECKS, EvidenceCheck } from './evidence-check';
import { payloadSha256Of } from './evidence-payload';
import { EvidenceRepository } from './evidence.repository';
import { EvidencePeriod, EvidenceRecord } from './evidence.types';

/**
 * Runs every registered check for one org and period and stores one `compliance_evidence` row per
 * check, all in one transaction bound to the org: a collection is stored whole or not at all, and
 * row-level security keeps each check inside the org whatever its SQL says.
 */
@Injectable()
export class EvidenceCollection {
  constructor(
    private readonly database: TenantDatabase,
    @Inject(EVIDENCE_CHECKS) private readonly checks: readonly EvidenceCheck[],
    private readonly evidence: EvidenceRepository,
  ) {
    const ids = checks.map((check) => check.id);
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) throw new Error(`Evidence check ${duplicate} is registered twice`);
  }

  collectForOrg(orgId: string, period: EvidencePeriod, jobRunId: string | null = null): Promise<EvidenceRecord[]> {
    return this.database.forOrganization(orgId, async (em) => {
      const collectedAt = new Date();
      const records: EvidenceRecord[] = [];
      for (const check of this.checks) {
        records.push(await this.collectOne(check, em, orgId, period, collectedAt, jobRunId));
      }
      await this.evidence.insertAll(em, records);
      return records;
    });
  }

  private async collectOne(
    check: EvidenceCheck,
    em: EntityManager,
    orgId: string,
    period: EvidencePeriod,
    collectedAt: Date,
    jobRunId: string | null,
  ): Promise<EvidenceRecord> {
    const outcome = await check.collect(orgId, period, em);
    const findings = {
      checkId: check.id,
      checkVersion: check.version,
      criteria: [...check.criteria],
      periodStart: period.start,
      periodEnd: period.end,
      population: outcome.population,
      exceptions: outcome.exceptions,
      summary: outcome.summary,
      result: outcome.result,
    };
    const record: EvidenceRecord = {
      ...findings,
      id: uuidv7(),
      orgId,
      collectedAt,
      source: outcome.source,
      queryParams: outcome.queryParams,
      populationCount: outcome.population.length,
      payloadSha256: payloadSha256Of(findings),
      jobRunId,
    };
    return record;
  }
}
