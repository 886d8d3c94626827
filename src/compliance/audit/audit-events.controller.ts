import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../../tenancy';
import { AuditEventsService } from './audit-events.service';
import { AuditedRead } from './audit.interceptor';
import { AuditEventPage, AuditExportQuery, AuditQuery, ChainVerification } from './dto/audit-event.dto';

@ApiTags('Audit')
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly events: AuditEventsService) {}

  @Get()
  @Endpoint({ operationId: 'listAuditEvents', summary: 'List audit events, newest first', permission: 'audit:read', ok: AuditEventPage })
  list(@Query() query: AuditQuery): Promise<AuditEventPage> {
    return this.events.list(query);
  }

  @Get('export')
  @AuditedRead()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/csv', 'application/x-ndjson')
  @Endpoint({
    operationId: 'exportAuditEvents',
    summary: 'Export audit events, oldest first, as CSV or JSON Lines (streamed)',
    description: 'Each line carries prevHash and hash, so the file can be checked against the chain. The export is itself audited.',
    permission: 'audit:read',
    ok: { description: 'CSV with a header row, or one JSON event per line.', schema: { type: 'string' } },
  })
  export(@Query() query: AuditExportQuery): StreamableFile {
    const csv = query.format === 'csv';
    return new StreamableFile(this.events.export(query, query.format), {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="audit-events.${query.format}"`,
    });
  }

  @Get('verify')
  @Endpoint({
    operationId: 'verifyAuditChain',
    summary: 'Recompute the organization’s hash chain and check it against the newest signed checkpoint',
    permission: 'audit:read',
    ok: ChainVerification,
  })
  verify(): Promise<ChainVerification> {
    return this.events.verify();
  }
}
