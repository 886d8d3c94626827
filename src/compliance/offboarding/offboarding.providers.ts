import { DeletionCertificatesController } from './deletion-certificates.controller';
import { DeletionCertificatesRepository } from './deletion-certificates.repository';
import { DeletionCertificates } from './deletion-certificates.service';
import { OrganizationClosuresController } from './organization-closures.controller';
import { OrganizationClosures } from './organization-closures.service';
import { OrganizationExporter } from './organization-export';
import { OrganizationExportRepository } from './organization-export.repository';
import { OrganizationPurge } from './organization-purge';
import { OrganizationPurgeRepository } from './organization-purge.repository';

/** Tenant offboarding (closure, export, deletion, certificate), registered by ComplianceModule. */
export const OFFBOARDING_CONTROLLERS = [OrganizationClosuresController, DeletionCertificatesController];
export const OFFBOARDING_PROVIDERS = [
  OrganizationClosures,
  OrganizationExportRepository,
  OrganizationExporter,
  OrganizationPurgeRepository,
  OrganizationPurge,
  DeletionCertificatesRepository,
  DeletionCertificates,
];
