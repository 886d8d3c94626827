import { Module } from '@nestjs/common';
import { PersonalDataColumns } from './personal-data-columns.service';

/** Where each `@PersonalData` field lives in PostgreSQL: what privacy erasure, the Art. 30 record and retention read. */
@Module({
  providers: [PersonalDataColumns],
  exports: [PersonalDataColumns],
})
export class PersonalDataModule {}
