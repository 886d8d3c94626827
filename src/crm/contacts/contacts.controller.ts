import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { RequirePermission } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { ContactsService } from './contacts.service';
import { ContactPage, ContactView, CreateContactDto, ListContactsQuery, UpdateContactDto } from './dto/contact.dto';

@ApiTags('Contacts')
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @RequirePermission('contacts:read')
  @ApiOperation({
    operationId: 'listContacts',
    summary: 'List contacts',
    description: 'Filter by email, companyId, tag, updatedSince; search names and email with q.',
  })
  @ApiOkResponse({ type: ContactPage })
  @CachedResponse({ resources: ['contacts', 'companies'] })
  list(@Query() query: ListContactsQuery): Promise<ContactPage> {
    return this.contacts.list(query);
  }

  @Post()
  @RequirePermission('contacts:write')
  @Idempotent()
  @ApiOperation({ operationId: 'createContact', summary: 'Create a contact' })
  @ApiCreatedResponse({ type: ContactView })
  create(@Body() body: CreateContactDto): Promise<ContactView> {
    return this.contacts.create(body);
  }

  @Get(':id')
  @RequirePermission('contacts:read')
  @ApiOperation({ operationId: 'getContact', summary: 'Get a contact' })
  @ApiOkResponse({ type: ContactView })
  @ApiNotFoundResponse({ description: 'No such contact in this organization (`CONTACT_NOT_FOUND`).' })
  get(@UuidParam('id') id: string): Promise<ContactView> {
    return this.contacts.get(id);
  }

  @Patch(':id')
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'updateContact', summary: 'Update a contact' })
  @ApiOkResponse({ type: ContactView })
  @ApiNotFoundResponse({ description: 'No such contact in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  update(@UuidParam('id') id: string, @Body() body: UpdateContactDto, @Headers('if-match') ifMatch?: string): Promise<ContactView> {
    return this.contacts.update(id, body, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('contacts:write')
  @IfMatchHeader()
  @ApiOperation({ operationId: 'deleteContact', summary: 'Delete a contact and its activities' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'A legal hold preserves this contact (`CONTACT_UNDER_LEGAL_HOLD`).' })
  @ApiNotFoundResponse({ description: 'No such contact in this organization.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match does not match the current version.' })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.contacts.remove(id, ifMatch);
  }
}
