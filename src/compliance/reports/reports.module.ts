import { Module } from '@nestjs/common';
import { JobsModule } from '../../platform/jobs';
import { SigningModule } from '../../platform/signing';
import { AuditModule } from '../audit';
import { EvidenceCollection, EvidenceModule } from '../evidence';
import { EvidenceSource } from './evidence-source';
import { MonthlyReportsJob } from './monthly-reports.job';
import { ReportGenerator } from './report-generator.service';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Signed compliance report bundles (PDF, CSV, JSON, manifest): monthly per org and on demand. */
@Module({
  imports: [JobsModule, SigningModule, AuditModule, EvidenceModule],
  controllers: [ReportsController],
  providers: [
    ReportsRepository,
    ReportsService,
    ReportGenerator,
    MonthlyReportsJob,
    // A report collects its period's evidence afresh, through the checks the evidence module runs.
    { provide: EvidenceSource, useExisting: EvidenceCollection },
  ],
})
export class ReportsModule {}
