import { Module } from '@nestjs/common';
import { JobsModule } from '../../platform/jobs';
import { SigningModule } from '../../platform/signing';
import { DeletionCertificatesController } from './deletion-certificates.controller';
import { DeletionCertificatesRepository } from './deletion-certificates.repository';
import { DeletionCertificates } from './deletion-certificates.service';
import { OrganizationClosuresController } from './organization-closures.controller';
import { OrganizationClosuresRepository } from './organization-closures.repository';
import { OrganizationClosures } from './organization-closures.service';
import { OrganizationExportRepository } from './organization-export.repository';
import { OrganizationExporter } from './organization-export.service';
import { OrganizationPurgeRepository } from './organization-purge.repository';
import { OrganizationPurge } from './organization-purge.job';

/** Tenant offboarding: closure with a grace period, the export, deletion, and its signed certificate. */
@Module({
  imports: [JobsModule, SigningModule],
  controllers: [OrganizationClosuresController, DeletionCertificatesController],
  providers: [
    OrganizationClosuresRepository,
    OrganizationClosures,
    OrganizationExportRepository,
    OrganizationExporter,
    OrganizationPurgeRepository,
    OrganizationPurge,
    DeletionCertificatesRepository,
    DeletionCertificates,
  ],
})
export class OffboardingModule {}
