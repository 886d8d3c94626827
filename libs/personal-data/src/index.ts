export {
  PersonalData,
  PersonalDataCategory,
  PersonalDataField,
  PersonalDataStorage,
  declarePersonalDataColumn,
  personalDataFields,
} from './personal-data';
