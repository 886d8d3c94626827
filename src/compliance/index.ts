export { ComplianceModule } from './compliance.module';
// A module that records audit events of its own imports AuditModule and injects AuditLog.
export { AuditEntry, AuditLog, AuditModule, AuditedRead, attachAuditInterceptor } from './audit';
