import { Module } from '@nestjs/common';
import { ActivitiesController } from './activities/activities.controller';
import { ActivitiesService } from './activities/activities.service';
import { CompaniesController } from './companies/companies.controller';
import { CompaniesRepository } from './companies/companies.repository';
import { CompaniesService } from './companies/companies.service';
import { ContactsController } from './contacts/contacts.controller';
import { ContactsRepository } from './contacts/contacts.repository';
import { ContactsService } from './contacts/contacts.service';
import { RecordsCache } from './records-cache';

/** The tenant's own data: companies, contacts and activities. */
@Module({
  controllers: [CompaniesController, ContactsController, ActivitiesController],
  providers: [RecordsCache, CompaniesService, CompaniesRepository, ContactsService, ContactsRepository, ActivitiesService],
})
export class CrmModule {}
