import { Body, Controller, Get, Header, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { AuditedRead } from '../audit';
import { PrivacyExportView } from './dto/privacy-deliverables.dto';
import {
  CreatePrivacyRequestDto,
  ErasureCertificateView,
  ExtendPrivacyRequestDto,
  ListPrivacyRequestsQuery,
  PrivacyRequestPage,
  PrivacyRequestView,
  RejectPrivacyRequestDto,
} from './dto/privacy-request.dto';
import { PrivacyDeliverablesService } from './privacy-deliverables.service';
import { PrivacyRequestsService } from './privacy-requests.service';

const NOT_FOUND = 'No such privacy request in this organization (`PRIVACY_REQUEST_NOT_FOUND`).';

@ApiTags('Privacy')
@Controller('v1/privacy/requests')
export class PrivacyRequestsController {
  constructor(
    private readonly requests: PrivacyRequestsService,
    private readonly deliverables: PrivacyDeliverablesService,
  ) {}

  @Post()
  @Idempotent()
  @Endpoint({
    operationId: 'createPrivacyRequest',
    summary: 'Record a data-subject access or erasure request',
    description:
      'Due one calendar month after receipt (GDPR Art. 12(3)). Handled in the background: poll the request until it is ' +
      '`completed`, then download the export (access) or the signed certificate (erasure).',
    permission: 'privacy:manage',
    accepted: PrivacyRequestView,
  })
  create(@Body() body: CreatePrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.create(body);
  }

  @Get()
  @Endpoint({
    operationId: 'listPrivacyRequests',
    summary: 'List privacy requests, newest first',
    permission: 'privacy:read',
    ok: PrivacyRequestPage,
  })
  list(@Query() query: ListPrivacyRequestsQuery): Promise<PrivacyRequestPage> {
    return this.requests.list(query);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getPrivacyRequest',
    summary: 'Get a privacy request: status, deadlines and what was found or erased',
    permission: 'privacy:read',
    ok: PrivacyRequestView,
    notFound: NOT_FOUND,
  })
  get(@UuidParam('id') id: string): Promise<PrivacyRequestView> {
    return this.requests.get(id);
  }

  @Post(':id/extension')
  @Endpoint({
    operationId: 'extendPrivacyRequest',
    summary: 'Extend the deadline by one or two further months (at most two in total)',
    description: 'Only while the request is open and within its first month (GDPR Art. 12(3)).',
    permission: 'privacy:manage',
    ok: PrivacyRequestView,
    notFound: NOT_FOUND,
    conflict:
      'Completed or rejected (`PRIVACY_REQUEST_CLOSED`), more than two months in total (`PRIVACY_EXTENSION_LIMIT_REACHED`), ' +
      'or past the first month (`PRIVACY_EXTENSION_TOO_LATE`).',
  })
  extend(@UuidParam('id') id: string, @Body() body: ExtendPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.extend(id, body);
  }

  @Post(':id/rejection')
  @Endpoint({
    operationId: 'rejectPrivacyRequest',
    summary: 'Reject a pending request, giving the reason',
    permission: 'privacy:manage',
    ok: PrivacyRequestView,
    notFound: NOT_FOUND,
    conflict: 'The request is already being or has been handled (`PRIVACY_REQUEST_NOT_PENDING`).',
  })
  reject(@UuidParam('id') id: string, @Body() body: RejectPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.reject(id, body);
  }

  @Get(':id/export')
  @AuditedRead()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/json')
  @Endpoint({
    operationId: 'downloadPrivacyExport',
    summary: 'Download the data subject’s data as JSON (access requests)',
    description: 'A machine-readable export of everything the organization holds about the subject. The download is audited.',
    permission: 'privacy:manage',
    ok: { description: 'The export, as an attachment.', type: PrivacyExportView },
    notFound: 'No such request, or not an access request (`PRIVACY_EXPORT_NOT_FOUND`).',
    conflict: 'Still being prepared (`PRIVACY_EXPORT_NOT_READY`).',
    gone: 'Expired or deleted by retention (`PRIVACY_EXPORT_EXPIRED`).',
  })
  async download(@UuidParam('id') id: string): Promise<StreamableFile> {
    const json = await this.deliverables.exportOf(id);
    return new StreamableFile(Buffer.from(json), {
      type: 'application/json; charset=utf-8',
      disposition: `attachment; filename="privacy-export-${id}.json"`,
    });
  }

  @Get(':id/certificate')
  @AuditedRead()
  @Endpoint({
    operationId: 'getErasureCertificate',
    summary: 'The signed erasure certificate (erasure requests)',
    description:
      'Verify `signature.value` (Ed25519, base64) over the canonical JSON of `certificate` (object keys sorted at every level) ' +
      'with the key GET /v1/compliance/signing-key publishes.',
    permission: 'privacy:read',
    ok: ErasureCertificateView,
    notFound: 'No such request, or not an erasure request (`ERASURE_CERTIFICATE_NOT_FOUND`).',
    conflict: 'The erasure is not completed yet (`PRIVACY_REQUEST_NOT_COMPLETED`).',
  })
  certificate(@UuidParam('id') id: string): Promise<ErasureCertificateView> {
    return this.deliverables.certificateOf(id);
  }
}
