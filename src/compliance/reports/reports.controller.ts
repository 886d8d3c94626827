import { Body, Controller, Get, Header, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { AuditedRead } from '../audit';
import { CreateReportDto, DownloadReportQuery, ListReportsQuery, ReportPage, ReportView } from './dto/report.dto';
import { ReportsService } from './reports.service';

@ApiTags('Compliance')
@Controller('v1/compliance/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @Endpoint({ operationId: 'listReports', summary: 'List compliance reports, newest first', permission: 'compliance:read', ok: ReportPage })
  list(@Query() query: ListReportsQuery): Promise<ReportPage> {
    return this.reports.list(query);
  }

  @Post()
  @Idempotent()
  @Endpoint({
    operationId: 'createReport',
    summary: 'Generate a signed compliance report for a period',
    description:
      'Collects the SOC 2 evidence of [from, to) and builds summary.pdf, evidence.zip, report.json and manifest.json, ' +
      'whose Ed25519 signature covers the SHA-256 of every other file. Generated within the request: the 201 carries a ready report.',
    permission: 'compliance:manage',
    created: ReportView,
    badRequest: 'from not before to, to in the future, or a period over 366 days (`VALIDATION_FAILED`).',
  })
  create(@Body() body: CreateReportDto): Promise<ReportView> {
    return this.reports.create(body);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getReport',
    summary: 'Get a compliance report: status, period, files with their SHA-256, signature',
    permission: 'compliance:read',
    ok: ReportView,
    notFound: 'No such report in this organization (`REPORT_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<ReportView> {
    return this.reports.get(id);
  }

  @Get(':id/download')
  @AuditedRead()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/pdf', 'application/zip', 'application/json', 'application/octet-stream')
  @Endpoint({
    operationId: 'downloadReport',
    summary: 'Download a file of a report, or the detached signature of its manifest',
    description:
      'The stored bytes, with `X-Content-SHA256` (hex) and `Content-Digest: sha-256=:…:` (base64, RFC 9530) of them and ' +
      '`X-Signature-Key-Id`. ' +
      '`format=signature` is the raw 64-byte Ed25519 signature of the bytes of `format=manifest`: ' +
      '`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile manifest.json.sig`. The download is audited.',
    permission: 'compliance:read',
    ok: { description: 'The file.', schema: { type: 'string', format: 'binary' } },
    notFound: 'No such report in this organization (`REPORT_NOT_FOUND`).',
    conflict: 'The report is not ready (`REPORT_NOT_READY`).',
  })
  async download(
    @UuidParam('id') id: string,
    @Query() query: DownloadReportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await this.reports.download(id, query.format);
    reply.header('x-content-sha256', file.sha256);
    reply.header('content-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`);
    reply.header('x-signature-key-id', file.keyId);
    return new StreamableFile(file.content, {
      type: file.contentType,
      disposition: `attachment; filename="${file.name}"`,
      length: file.content.length,
    });
  }
}
