import { Module } from '@nestjs/common';
import { JobsModule } from '../../platform/jobs';
import { AuditModule } from '../audit';
import { LegalHoldsController } from './legal-holds.controller';
import { LegalHoldsRepository } from './legal-holds.repository';
import { LegalHoldsService } from './legal-holds.service';
import { RetentionPoliciesController } from './retention-policies.controller';
import { RetentionPoliciesRepository } from './retention-policies.repository';
import { RetentionPoliciesService } from './retention-policies.service';
import { RetentionPurger } from './retention-purger.service';
import { RetentionRunsRepository } from './retention-runs.repository';
import { RetentionJob } from './retention.job';

/** Retention policies per category, legal holds that suspend them, and the daily job that applies them. */
@Module({
  imports: [JobsModule, AuditModule],
  controllers: [RetentionPoliciesController, LegalHoldsController],
  providers: [
    RetentionPoliciesRepository,
    RetentionPoliciesService,
    LegalHoldsRepository,
    LegalHoldsService,
    RetentionPurger,
    RetentionRunsRepository,
    RetentionJob,
  ],
})
export class RetentionModule {}
