import { Body, Controller, Get, Header, HttpCode, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
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
  @HttpCode(202)
  @RequirePermission('privacy:manage')
  @Idempotent()
  @ApiOperation({
    operationId: 'createPrivacyRequest',
    summary: 'Record a data-subject access or erasure request',
    description:
      'Due one calendar month after receipt (GDPR Art. 12(3)). Handled in the background: poll the request until it is ' +
      '`completed`, then download the export (access) or the signed certificate (erasure).',
  })
  @ApiAcceptedResponse({ type: PrivacyRequestView })
  create(@Body() body: CreatePrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.create(body);
  }

  @Get()
  @RequirePermission('privacy:read')
  @ApiOperation({ operationId: 'listPrivacyRequests', summary: 'List privacy requests, newest first' })
  @ApiOkResponse({ type: PrivacyRequestPage })
  list(@Query() query: ListPrivacyRequestsQuery): Promise<PrivacyRequestPage> {
    return this.requests.list(query);
  }

  @Get(':id')
  @RequirePermission('privacy:read')
  @ApiOperation({ operationId: 'getPrivacyRequest', summary: 'Get a privacy request: status, deadlines and what was found or erased' })
  @ApiOkResponse({ type: PrivacyRequestView })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@UuidParam('id') id: string): Promise<PrivacyRequestView> {
    return this.requests.get(id);
  }

  @Post(':id/extension')
  @HttpCode(200)
  @RequirePermission('privacy:manage')
  @ApiOperation({
    operationId: 'extendPrivacyRequest',
    summary: 'Extend the deadline by one or two further months (at most two in total)',
    description: 'Only while the request is open and within its first month (GDPR Art. 12(3)).',
  })
  @ApiOkResponse({ type: PrivacyRequestView })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description:
      'Completed or rejected (`PRIVACY_REQUEST_CLOSED`), more than two months in total (`PRIVACY_EXTENSION_LIMIT_REACHED`), ' +
      'or past the first month (`PRIVACY_EXTENSION_TOO_LATE`).',
  })
  extend(@UuidParam('id') id: string, @Body() body: ExtendPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.extend(id, body);
  }

  @Post(':id/rejection')
  @HttpCode(200)
  @RequirePermission('privacy:manage')
  @ApiOperation({ operationId: 'rejectPrivacyRequest', summary: 'Reject a pending request, giving the reason' })
  @ApiOkResponse({ type: PrivacyRequestView })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'The request is already being or has been handled (`PRIVACY_REQUEST_NOT_PENDING`).' })
  reject(@UuidParam('id') id: string, @Body() body: RejectPrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.reject(id, body);
  }

  @Get(':id/export')
  @RequirePermission('privacy:manage')
  @AuditedRead()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'downloadPrivacyExport',
    summary: 'Download the data subject’s data as JSON (access requests)',
    description: 'A machine-readable export of everything the organization holds about the subject. The download is audited.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'The export, as an attachment.', type: PrivacyExportView })
  @ApiNotFoundResponse({ description: 'No such request, or not an access request (`PRIVACY_EXPORT_NOT_FOUND`).' })
  @ApiConflictResponse({ description: 'Still being prepared (`PRIVACY_EXPORT_NOT_READY`).' })
  @ApiGoneResponse({ description: 'Expired or deleted by retention (`PRIVACY_EXPORT_EXPIRED`).' })
  async download(@UuidParam('id') id: string): Promise<StreamableFile> {
    const json = await this.deliverables.exportOf(id);
    return new StreamableFile(Buffer.from(json), {
      type: 'application/json; charset=utf-8',
      disposition: `attachment; filename="privacy-export-${id}.json"`,
    });
  }

  @Get(':id/certificate')
  @RequirePermission('privacy:read')
  @AuditedRead()
  @ApiOperation({
    operationId: 'getErasureCertificate',
    summary: 'The signed erasure certificate (erasure requests)',
    description:
      'Verify `signature.value` (Ed25519, base64) over the canonical JSON of `certificate` (object keys sorted at every level) ' +
      'with the key GET /v1/compliance/signing-key publishes.',
  })
  @ApiOkResponse({ type: ErasureCertificateView })
  @ApiNotFoundResponse({ description: 'No such request, or not an erasure request (`ERASURE_CERTIFICATE_NOT_FOUND`).' })
  @ApiConflictResponse({ description: 'The erasure is not completed yet (`PRIVACY_REQUEST_NOT_COMPLETED`).' })
  certificate(@UuidParam('id') id: string): Promise<ErasureCertificateView> {
    return this.deliverables.certificateOf(id);
  }
}
