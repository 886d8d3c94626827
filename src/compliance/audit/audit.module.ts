import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobsModule } from '../../platform/jobs';
import { SigningModule } from '../../platform/signing';
import { AuditAppendRepository } from './audit-append.repository';
import { AuditChainRepository } from './audit-chain.repository';
import { AuditCheckpoints } from './audit-checkpoint.job';
import { AuditEventsController } from './audit-events.controller';
import { AuditEventsService } from './audit-events.service';
import { AuditLog } from './audit-log.service';
import { AuditVerificationsController } from './audit-verifications.controller';
import { AuditVerificationsRepository } from './audit-verifications.repository';
import { AuditVerifications } from './audit-verifications.service';
import { AuditInterceptor } from './audit.interceptor';
import { CheckpointLedger } from './checkpoint-ledger.service';

/**
 * The per-org hash-chained audit log: appends (AuditLog, and the interceptor that records every
 * mutating route of every module: attachAuditInterceptor, called by createApp), the event list and
 * export, hourly signed checkpoints and full verifications.
 */
@Module({
  imports: [JobsModule, SigningModule, DiscoveryModule],
  controllers: [AuditEventsController, AuditVerificationsController],
  providers: [
    AuditAppendRepository,
    AuditChainRepository,
    AuditVerificationsRepository,
    AuditLog,
    AuditInterceptor,
    AuditEventsService,
    CheckpointLedger,
    AuditCheckpoints,
    AuditVerifications,
  ],
  exports: [AuditLog, AuditEventsService],
})
export class AuditModule {}
