export { PersonalData, PersonalDataCategory, PersonalDataField, personalDataFields } from './personal-data';
