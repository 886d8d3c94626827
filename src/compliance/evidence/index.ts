export { EvidenceModule } from './evidence.module';
export { EvidenceCollection } from './evidence-collection.service';
export { EvidencePeriod, EvidenceRecord } from './evidence.types';
