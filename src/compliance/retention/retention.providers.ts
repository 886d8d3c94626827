import { LegalHoldsController } from './legal-holds.controller';
import { LegalHoldsService } from './legal-holds.service';
import { RetentionJob } from './retention-job';
import { RetentionPoliciesController } from './retention-policies.controller';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPurger } from './retention-purger';

/** The retention and legal-hold feature's controllers and providers, registered by ComplianceModule. */
export const RETENTION_CONTROLLERS = [RetentionPoliciesController, LegalHoldsController];
export const RETENTION_PROVIDERS = [RetentionPoliciesService, LegalHoldsService, RetentionPurger, RetentionJob];
