export { AuditModule } from './audit.module';
export { AuditEntry, AuditLog } from './audit-log.service';
export { AuditEventsService } from './audit-events.service';
export { AuditedRead, attachAuditInterceptor } from './audit.interceptor';
export { ChainVerification } from './dto/audit-event.dto';
