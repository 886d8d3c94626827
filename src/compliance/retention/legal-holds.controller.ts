import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { LegalHoldsService } from './legal-holds.service';
import { CreateLegalHoldDto, LegalHoldPage, LegalHoldView, ListLegalHoldsQuery } from './dto/legal-hold.dto';

@ApiTags('Retention')
@Controller('v1/legal-holds')
export class LegalHoldsController {
  constructor(private readonly holds: LegalHoldsService) {}

  @Get()
  @Endpoint({
    operationId: 'listLegalHolds',
    summary: 'List legal holds, released ones included (filter with active)',
    permission: 'compliance:read',
    ok: LegalHoldPage,
  })
  list(@Query() query: ListLegalHoldsQuery): Promise<LegalHoldPage> {
    return this.holds.list(query);
  }

  @Post()
  @Idempotent()
  @Endpoint({
    operationId: 'createLegalHold',
    summary: 'Place a legal hold: retention deletes and anonymises nothing in its scope until it is released',
    permission: 'legal-holds:manage',
    created: LegalHoldView,
    unprocessableEntity: 'contactId names no contact of this organization (`CONTACT_NOT_FOUND`).',
  })
  create(@Body() body: CreateLegalHoldDto): Promise<LegalHoldView> {
    return this.holds.create(body);
  }

  @Delete(':id')
  @Endpoint({
    operationId: 'releaseLegalHold',
    summary: 'Release a legal hold (it stays on record, with who released it and when)',
    permission: 'legal-holds:manage',
    noContent: true,
    notFound: 'No such legal hold in this organization (`LEGAL_HOLD_NOT_FOUND`).',
    conflict: 'The hold was already released (`LEGAL_HOLD_ALREADY_RELEASED`).',
  })
  release(@UuidParam('id') id: string): Promise<void> {
    return this.holds.release(id);
  }
}
