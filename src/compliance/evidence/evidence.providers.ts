import { EVIDENCE_CHECK_CLASSES, evidenceChecksProvider } from './checks/evidence-checks';
import { EvidenceChecksRepository } from './checks/evidence-checks.repository';
import { EvidenceCollection } from './evidence-collection';
import { EvidenceJob } from './evidence-job';
import { EvidenceController } from './evidence.controller';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';

/** The SOC 2 evidence feature's controllers and providers, registered by ComplianceModule. */
export const EVIDENCE_CONTROLLERS = [EvidenceController];
export const EVIDENCE_PROVIDERS = [
  EvidenceChecksRepository,
  ...EVIDENCE_CHECK_CLASSES,
  evidenceChecksProvider,
  EvidenceCollection,
  EvidenceRepository,
  EvidenceService,
  EvidenceJob,
];
