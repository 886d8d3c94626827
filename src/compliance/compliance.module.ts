import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { MonitoringModule } from '../monitoring';
import { AuditCheckpoints } from './audit/audit-checkpoints';
import { AuditEventsController } from './audit/audit-events.controller';
import { AuditEventsService } from './audit/audit-events.service';
import { AuditLog } from './audit/audit-log';
import { AuditVerificationsController } from './audit/audit-verifications.controller';
import { AuditVerifications } from './audit/audit-verifications.service';
import { AuditInterceptor } from './audit/audit.interceptor';
import { CheckpointLedger } from './audit/checkpoint-ledger';
import { EVIDENCE_CONTROLLERS, EVIDENCE_PROVIDERS } from './evidence/evidence.providers';
import { BackgroundTasks } from './jobs/background-tasks';
import { Jobs } from './jobs/jobs';
import { OrganizationFanOut } from './jobs/organization-fan-out';
import { WorkQueue } from './jobs/work-queue';
import { OFFBOARDING_CONTROLLERS, OFFBOARDING_PROVIDERS } from './offboarding/offboarding.providers';
import { REPORT_CONTROLLERS, REPORT_PROVIDERS } from './reports/reports.providers';
import { PRIVACY_CONTROLLERS, PRIVACY_PROVIDERS } from './privacy/privacy.providers';
import { RETENTION_CONTROLLERS, RETENTION_PROVIDERS } from './retention/retention.providers';
import { Signer } from './signing/signer';
import { SigningKeysRepository } from './signing/signing-keys.repository';
import { SigningKeyController } from './signing/signing-key.controller';

/**
 * Audit log, privacy requests, retention and legal holds, and the scheduled jobs behind them
 * (each run once per cluster). The audit interceptor goes on every mutating route of every module
 * (attachAuditInterceptor, called by createApp): every mutation is recorded.
 */
@Module({
  imports: [ScheduleModule.forRoot(), MonitoringModule, DiscoveryModule],
  controllers: [
    AuditEventsController,
    AuditVerificationsController,
    SigningKeyController,
    ...PRIVACY_CONTROLLERS,
    ...RETENTION_CONTROLLERS,
    ...EVIDENCE_CONTROLLERS,
    ...REPORT_CONTROLLERS,
    ...OFFBOARDING_CONTROLLERS,
  ],
  providers: [
    AuditInterceptor,
    AuditLog,
    AuditEventsService,
    AuditCheckpoints,
    CheckpointLedger,
    AuditVerifications,
    Jobs,
    WorkQueue,
    OrganizationFanOut,
    BackgroundTasks,
    Signer,
    SigningKeysRepository,
    ...PRIVACY_PROVIDERS,
    ...RETENTION_PROVIDERS,
    ...EVIDENCE_PROVIDERS,
    ...REPORT_PROVIDERS,
    ...OFFBOARDING_PROVIDERS,
  ],
  exports: [AuditLog, Jobs, Signer],
})
export class ComplianceModule {}
