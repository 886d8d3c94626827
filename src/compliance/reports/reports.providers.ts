import { EvidenceCollection } from '../evidence/evidence-collection';
import { EvidenceSource } from './evidence-source';
import { MonthlyReportsJob } from './monthly-reports-job';
import { ReportGenerator } from './report-generator';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** The compliance-report feature's controllers and providers, registered by ComplianceModule. */
export const REPORT_CONTROLLERS = [ReportsController];
export const REPORT_PROVIDERS = [
  ReportsRepository,
  ReportsService,
  ReportGenerator,
  MonthlyReportsJob,
  // A report collects its period's evidence afresh, through the checks the evidence feature runs.
  { provide: EvidenceSource, useExisting: EvidenceCollection },
];
