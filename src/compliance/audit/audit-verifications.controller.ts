import { Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PageQuery, UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { AuditVerifications } from './audit-verifications.service';
import { AuditVerificationPage, AuditVerificationView } from './dto/audit-verification.dto';

@ApiTags('Audit')
@Controller('v1/audit-events/verifications')
export class AuditVerificationsController {
  constructor(private readonly verifications: AuditVerifications) {}

  @Post()
  @Idempotent()
  @Endpoint({
    operationId: 'createAuditVerification',
    summary: 'Start a full re-verification of the organization’s audit chain, from its first event',
    description:
      'Recomputes every event from the chain’s start (or where retention pruned it) to its head at the start of the run, ' +
      'in the background: poll the verification until it is `succeeded` (it ran to the end, whatever it found: see `outcome`) ' +
      'or `failed`. The outcome is signed with the key of GET /.well-known/atrium-signing-keys.json. ' +
      'GET /v1/audit-events/verify is the quick check: it takes the events before the newest signed checkpoint on trust.',
    permission: 'audit:read',
    accepted: AuditVerificationView,
    conflict: 'A verification of this organization is still queued or running (`AUDIT_VERIFICATION_IN_PROGRESS`).',
  })
  create(): Promise<AuditVerificationView> {
    return this.verifications.create();
  }

  @Get()
  @Endpoint({
    operationId: 'listAuditVerifications',
    summary: 'List full audit verifications, newest first',
    permission: 'audit:read',
    ok: AuditVerificationPage,
  })
  list(@Query() query: PageQuery): Promise<AuditVerificationPage> {
    return this.verifications.list(query);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getAuditVerification',
    summary: 'Get a full audit verification: status, progress and signed outcome',
    permission: 'audit:read',
    ok: AuditVerificationView,
    notFound: 'No such verification in this organization (`VERIFICATION_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<AuditVerificationView> {
    return this.verifications.get(id);
  }
}
