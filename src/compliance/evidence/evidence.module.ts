import { Module } from '@nestjs/common';
import { JobsModule } from '../../platform/jobs';
import { AuditModule } from '../audit';
import { EVIDENCE_CHECK_CLASSES, evidenceChecksProvider } from './checks/evidence-checks';
import { EvidenceChecksRepository } from './checks/evidence-checks.repository';
import { EvidenceCollection } from './evidence-collection.service';
import { EvidenceController } from './evidence.controller';
import { EvidenceJob } from './evidence.job';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';

/** SOC 2 evidence: the registry of checks, collected daily per org and on demand, and read back. */
@Module({
  imports: [JobsModule, AuditModule],
  controllers: [EvidenceController],
  providers: [
    EvidenceChecksRepository,
    ...EVIDENCE_CHECK_CLASSES,
    evidenceChecksProvider,
    EvidenceCollection,
    EvidenceRepository,
    EvidenceService,
    EvidenceJob,
  ],
  exports: [EvidenceCollection],
})
export class EvidenceModule {}
