import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
import { LegalHoldsService } from './legal-holds.service';
import { CreateLegalHoldDto, LegalHoldPage, LegalHoldView, ListLegalHoldsQuery } from './dto/legal-hold.dto';

@ApiTags('Retention')
@Controller('v1/legal-holds')
export class LegalHoldsController {
  constructor(private readonly holds: LegalHoldsService) {}

  @Get()
  @RequirePermission('compliance:read')
  @ApiOperation({ operationId: 'listLegalHolds', summary: 'List legal holds, released ones included (filter with active)' })
  @ApiOkResponse({ type: LegalHoldPage })
  list(@Query() query: ListLegalHoldsQuery): Promise<LegalHoldPage> {
    return this.holds.list(query);
  }

  @Post()
  @RequirePermission('legal-holds:manage')
  @Idempotent()
  @ApiOperation({
    operationId: 'createLegalHold',
    summary: 'Place a legal hold: retention deletes and anonymises nothing in its scope until it is released',
  })
  @ApiCreatedResponse({ type: LegalHoldView })
  @ApiUnprocessableEntityResponse({ description: 'contactId names no contact of this organization (`CONTACT_NOT_FOUND`).' })
  create(@Body() body: CreateLegalHoldDto): Promise<LegalHoldView> {
    return this.holds.create(body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('legal-holds:manage')
  @ApiOperation({ operationId: 'releaseLegalHold', summary: 'Release a legal hold (it stays on record, with who released it and when)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such legal hold in this organization (`LEGAL_HOLD_NOT_FOUND`).' })
  @ApiConflictResponse({ description: 'The hold was already released (`LEGAL_HOLD_ALREADY_RELEASED`).' })
  release(@UuidParam('id') id: string): Promise<void> {
    return this.holds.release(id);
  }
}
