import { DeletionCertificatesController } from './deletion-certificates.controller';
import { OrganizationClosuresController } from './organization-closures.controller';
import { OrganizationClosures } from './organization-closures.service';
import { OrganizationExporter } from './organization-export';
import { OrganizationPurge } from './organization-purge';

/** Tenant offboarding (closure, export, deletion, certificate), registered by ComplianceModule. */
export const OFFBOARDING_CONTROLLERS = [OrganizationClosuresController, DeletionCertificatesController];
export const OFFBOARDING_PROVIDERS = [OrganizationClosures, OrganizationExporter, OrganizationPurge];
