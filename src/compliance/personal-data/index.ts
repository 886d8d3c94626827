export { PersonalDataModule } from './personal-data.module';
export {
  ERASED_PLACEHOLDER,
  PersonalDataColumn,
  PersonalDataColumns,
  erasureAssignments,
  freeTextColumns,
  isErased,
  personalDataColumns,
} from './personal-data-columns.service';
