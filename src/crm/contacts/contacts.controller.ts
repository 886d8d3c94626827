import { Body, Controller, Delete, Get, Headers, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@app/http';
import { CachedResponse } from '../../caching';
import { Idempotent } from '../../idempotency';
import { Endpoint } from '../../tenancy';
import { IfMatchHeader } from '../records-cache';
import { ContactsService } from './contacts.service';
import { ContactPage, ContactView, CreateContactDto, ListContactsQuery, UpdateContactDto } from './dto/contact.dto';

@ApiTags('Contacts')
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @CachedResponse({ resources: ['contacts', 'companies'] })
  @Endpoint({
    operationId: 'listContacts',
    summary: 'List contacts',
    description: 'Filter by email, companyId, tag, updatedSince; search names and email with q.',
    permission: 'contacts:read',
    ok: ContactPage,
  })
  list(@Query() query: ListContactsQuery): Promise<ContactPage> {
    return this.contacts.list(query);
  }

  @Post()
  @Idempotent()
  @Endpoint({ operationId: 'createContact', summary: 'Create a contact', permission: 'contacts:write', created: ContactView })
  create(@Body() body: CreateContactDto): Promise<ContactView> {
    return this.contacts.create(body);
  }

  @Get(':id')
  @Endpoint({
    operationId: 'getContact',
    summary: 'Get a contact',
    permission: 'contacts:read',
    ok: ContactView,
    notFound: 'No such contact in this organization (`CONTACT_NOT_FOUND`).',
  })
  get(@UuidParam('id') id: string): Promise<ContactView> {
    return this.contacts.get(id);
  }

  @Patch(':id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'updateContact',
    summary: 'Update a contact',
    permission: 'contacts:write',
    ok: ContactView,
    notFound: 'No such contact in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  update(@UuidParam('id') id: string, @Body() body: UpdateContactDto, @Headers('if-match') ifMatch?: string): Promise<ContactView> {
    return this.contacts.update(id, body, ifMatch);
  }

  @Delete(':id')
  @IfMatchHeader()
  @Endpoint({
    operationId: 'deleteContact',
    summary: 'Delete a contact and its activities',
    permission: 'contacts:write',
    noContent: true,
    conflict: 'A legal hold preserves this contact (`CONTACT_UNDER_LEGAL_HOLD`).',
    notFound: 'No such contact in this organization.',
    preconditionFailed: 'If-Match does not match the current version.',
  })
  remove(@UuidParam('id') id: string, @Headers('if-match') ifMatch?: string): Promise<void> {
    return this.contacts.remove(id, ifMatch);
  }
}
