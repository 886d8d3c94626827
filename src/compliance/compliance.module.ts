import { Module } from '@nestjs/common';
import { AuditModule } from './audit';
import { EvidenceModule } from './evidence';
import { OffboardingModule } from './offboarding';
import { PersonalDataModule } from './personal-data';
import { PrivacyModule } from './privacy';
import { ReportsModule } from './reports';
import { RetentionModule } from './retention';

/**
 * GDPR and SOC 2 compliance, one module per part, each reached only through its index.ts: the audit
 * log, privacy requests, retention and legal holds, SOC 2 evidence, signed reports and tenant
 * offboarding. Their jobs and signatures come from platform/jobs and platform/signing.
 */
@Module({
  imports: [AuditModule, PersonalDataModule, PrivacyModule, RetentionModule, EvidenceModule, ReportsModule, OffboardingModule],
})
export class ComplianceModule {}
