import { ErasureCertificates } from './erasure-certificate';
import { ErasureVerification } from './erasure-verification';
import { PersonalDataColumns } from '../personal-data/personal-data-columns';
import { PrivacyDeliverablesService } from './privacy-deliverables.service';
import { PrivacyRequestProcessor } from './privacy-request-processor';
import { PrivacyRequestsController } from './privacy-requests.controller';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyRequestsService } from './privacy-requests.service';
import { ProcessingRecords } from './processing-records';
import { ProcessingRecordsController } from './processing-records.controller';
import { ProcessingRecordsRepository } from './processing-records.repository';
import { SubjectAccessExport } from './subject-access-export';
import { SubjectAccessRepository } from './subject-access.repository';
import { SubjectErasure } from './subject-erasure';
import { SubjectErasureRepository } from './subject-erasure.repository';

/** The privacy-request feature's controllers and providers, registered by ComplianceModule. */
export const PRIVACY_CONTROLLERS = [ProcessingRecordsController, PrivacyRequestsController];
export const PRIVACY_PROVIDERS = [
  PersonalDataColumns,
  ProcessingRecordsRepository,
  ProcessingRecords,
  PrivacyRequestsRepository,
  PrivacyRequestsService,
  PrivacyDeliverablesService,
  PrivacyRequestProcessor,
  SubjectAccessRepository,
  SubjectAccessExport,
  SubjectErasureRepository,
  SubjectErasure,
  ErasureVerification,
  ErasureCertificates,
];
