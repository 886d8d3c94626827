import { Module } from '@nestjs/common';
import { JobsModule } from '../../platform/jobs';
import { SigningModule } from '../../platform/signing';
import { AuditModule } from '../audit';
import { PersonalDataModule } from '../personal-data';
import { ErasureCertificates } from './erasure-certificates.service';
import { ErasureVerification } from './erasure-verification.service';
import { PrivacyDeliverablesService } from './privacy-deliverables.service';
import { PrivacyRequestProcessor } from './privacy-request-processor.service';
import { PrivacyRequestsController } from './privacy-requests.controller';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyRequestsService } from './privacy-requests.service';
import { ProcessingRecordsController } from './processing-records.controller';
import { ProcessingRecordsRepository } from './processing-records.repository';
import { ProcessingRecords } from './processing-records.service';
import { SubjectAccessExport } from './subject-access-export.service';
import { SubjectAccessRepository } from './subject-access.repository';
import { SubjectErasureRepository } from './subject-erasure.repository';
import { SubjectErasure } from './subject-erasure.service';

/**
 * Data-subject requests (access, erasure) handled in the background with signed erasure
 * certificates, and the Art. 30 record of processing built from the `@PersonalData` declarations.
 */
@Module({
  imports: [JobsModule, SigningModule, AuditModule, PersonalDataModule],
  controllers: [ProcessingRecordsController, PrivacyRequestsController],
  providers: [
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
  ],
})
export class PrivacyModule {}
