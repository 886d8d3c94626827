import { EvidencePeriod, EvidenceRecord } from '../evidence';

/**
 * Where a report's evidence comes from: collected (and stored) for the report's exact period when
 * it is generated. Bound to the evidence module's EvidenceCollection in reports.module.ts;
 * an abstract class so that the generator depends on this one method, not on how checks run.
 */
export abstract class EvidenceSource {
  abstract collectForOrg(orgId: string, period: EvidencePeriod, jobRunId?: string): Promise<EvidenceRecord[]>;
}
