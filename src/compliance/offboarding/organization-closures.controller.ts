import { Body, Controller, Delete, Get, Header, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Endpoint } from '../../tenancy';
import { AuditedRead } from '../audit';
import { ClosureView, RequestClosureDto } from './dto/closure.dto';
import { OrganizationClosures } from './organization-closures.service';

@ApiTags('Organization closure')
@Controller('v1/organization/closure')
export class OrganizationClosuresController {
  constructor(private readonly closures: OrganizationClosures) {}

  @Post()
  @Endpoint({
    operationId: 'requestOrganizationClosure',
    summary: 'Close the organization: export everything, then delete it all after the grace period',
    description:
      'Owners only. The export of all the organization’s data is built at once; after ORGANIZATION_CLOSURE_GRACE_DAYS every record is deleted and a signed deletion certificate is published.',
    permission: 'org:close',
    sessionOnly: true,
    accepted: ClosureView,
    conflict: 'A closure is already under way (`CLOSURE_ALREADY_REQUESTED`).',
  })
  request(@Body() body: RequestClosureDto): Promise<ClosureView> {
    return this.closures.request(body.confirmOrganizationName);
  }

  @Get()
  @Endpoint({
    operationId: 'getOrganizationClosure',
    summary: 'The closure under way, if any',
    permission: 'org:close',
    sessionOnly: true,
    ok: ClosureView,
    notFound: 'No closure requested (`CLOSURE_NOT_FOUND`).',
  })
  current(): Promise<ClosureView> {
    return this.closures.current();
  }

  @Delete()
  @Endpoint({
    operationId: 'cancelOrganizationClosure',
    summary: 'Withdraw the closure during the grace period',
    permission: 'org:close',
    sessionOnly: true,
    noContent: true,
    notFound: 'No closure requested (`CLOSURE_NOT_FOUND`).',
  })
  cancel(): Promise<void> {
    return this.closures.cancel();
  }

  @Get('export')
  @AuditedRead()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/gzip')
  @Endpoint({
    operationId: 'downloadOrganizationExport',
    summary: 'Download the organization’s complete data (gzipped JSON)',
    permission: 'org:close',
    sessionOnly: true,
    ok: {
      description: 'Every record of the organization; `X-Content-SHA256` is the hash of the bytes sent.',
      schema: { type: 'string', format: 'binary' },
    },
    conflict: 'The export is still being built (`CLOSURE_EXPORT_NOT_READY`).',
  })
  async export(@Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const built = await this.closures.export();
    void reply.header('x-content-sha256', built.sha256);
    return new StreamableFile(built.gzip, {
      type: 'application/gzip',
      disposition: 'attachment; filename="organization-export.json.gz"',
      length: built.gzip.length,
    });
  }
}
