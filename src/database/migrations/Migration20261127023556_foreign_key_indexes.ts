import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the foreign keys PostgreSQL checks on delete: without them, deleting a contact or a
 * company scanned activities or contacts of every tenant. They are the second exception (after
 * memberships_user_idx) to indexes led by org_id.
 */
export class Migration20261127023556_foreign_key_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "contacts_company_fk_idx" on "contacts" ("company_id");`);

    this.addSql(`create index "activities_contact_fk_idx" on "activities" ("contact_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "activities_contact_fk_idx";`);

    this.addSql(`drop index "contacts_company_fk_idx";`);
  }
}
