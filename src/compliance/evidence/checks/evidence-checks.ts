import { Provider } from '@nestjs/common';
import { EVIDENCE_CHECKS, EvidenceCheck } from '../evidence-check';
import { AccessSnapshotCheck } from './access-snapshot.check';
import { ApiKeysCheck } from './api-keys.check';
import { ScimDeprovisioningCheck } from './scim-deprovisioning.check';
import { SignInAssuranceCheck } from './sign-in-assurance.check';
import { ChangeManagementCheck } from './change-management.check';
import { DisposalCheck } from './disposal.check';
import { MonitoringCheck } from './monitoring.check';
import { PrivacyRequestsCheck } from './privacy-requests.check';
import { ProvisioningCheck } from './provisioning.check';

/**
 * The registry: every check runs for every org in this order. A new check is a class here;
 * reports pick it up from the evidence it stores (check id, version and criteria travel with it).
 *
 * | check               | criteria         |
 * |---------------------|------------------|
 * | access-snapshot     | CC6.1, CC6.3     |
 * | sign-in-assurance   | CC6.1            |
 * | provisioning        | CC6.2            |
 * | scim-deprovisioning | CC6.2            |
 * | api-keys            | CC6.6            |
 * | monitoring          | CC7.2            |
 * | change-management   | CC8.1            |
 * | disposal            | C1.2, P4.2, P4.3 |
 * | privacy-requests    | P5.1, P5.2       |
 */
export const EVIDENCE_CHECK_CLASSES = [
  AccessSnapshotCheck,
  SignInAssuranceCheck,
  ProvisioningCheck,
  ScimDeprovisioningCheck,
  ApiKeysCheck,
  MonitoringCheck,
  ChangeManagementCheck,
  DisposalCheck,
  PrivacyRequestsCheck,
] as const;

export const evidenceChecksProvider: Provider = {
  provide: EVIDENCE_CHECKS,
  useFactory: (...checks: EvidenceCheck[]) => checks,
  inject: [...EVIDENCE_CHECK_CLASSES],
};
