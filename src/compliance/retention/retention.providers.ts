import { LegalHoldsController } from './legal-holds.controller';
import { LegalHoldsRepository } from './legal-holds.repository';
import { LegalHoldsService } from './legal-holds.service';
import { RetentionJob } from './retention-job';
import { RetentionPoliciesController } from './retention-policies.controller';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPurger } from './retention-purger';
import { RetentionRunsRepository } from './retention-runs.repository';

/** The retention and legal-hold feature's controllers and providers, registered by ComplianceModule. */
export const RETENTION_CONTROLLERS = [RetentionPoliciesController, LegalHoldsController];
export const RETENTION_PROVIDERS = [
  RetentionPoliciesRepository,
  RetentionPoliciesService,
  LegalHoldsRepository,
  LegalHoldsService,
  RetentionPurger,
  RetentionRunsRepository,
  RetentionJob,
];
