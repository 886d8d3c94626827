export { ComplianceModule } from './compliance.module';
export { AuditLog } from './audit/audit-log';
export { AuditedRead, attachAuditInterceptor } from './audit/audit.interceptor';
export { Jobs, JobRunResult } from './jobs/jobs';
export { Signer } from './signing/signer';
export { FinishItem, OrganizationFanOut, PerOrganizationJob } from './jobs/organization-fan-out';
