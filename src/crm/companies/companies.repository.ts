import { EntityManager, raw } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Contact } from '../entities/contact.entity';

/** The statements of companies that are more than an entity change; each call runs in the caller's org-scoped transaction. */
@Injectable()
export class CompaniesRepository {
  /**
   * Detaches the company's contacts, touching each (version and updatedAt move) rather than
   * leaving it to the foreign key's SET NULL, so `updatedSince` syncs see the change.
   */
  async detachContacts(em: EntityManager, companyId: string): Promise<void> {
    await em.nativeUpdate(Contact, { company: companyId }, { company: null, updatedAt: new Date(), version: raw('version + 1') });
  }
}
