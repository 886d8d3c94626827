import { ApiProperty } from '@nestjs/swagger';

export class ProcessingPartyView {
  @ApiProperty({ enum: ['controller', 'processor'], example: 'controller' })
  role!: 'controller' | 'processor';

  @ApiProperty({ example: 'Acme GmbH' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The organization id, for the controller.' })
  organizationId!: string | null;

  @ApiProperty({ example: 'Processes personal data only on the documented instructions of the controller (GDPR Art. 28).' })
  basis!: string;
}

export class OrganizationRetentionView {
  @ApiProperty({ example: 730 })
  days!: number;

  @ApiProperty({ enum: ['delete', 'anonymise'] })
  action!: string;
}

export class FieldRetentionView {
  @ApiProperty({ example: 'inactive_contacts', description: 'The retention category (see /v1/retention-policies).' })
  category!: string;

  @ApiProperty({ example: 'Contacts not updated for the period' })
  description!: string;

  @ApiProperty({ type: Number, nullable: true, example: 1095, description: 'Null when kept for as long as the account exists.' })
  defaultDays!: number | null;

  @ApiProperty({ type: String, nullable: true, enum: ['delete', 'anonymise'] })
  defaultAction!: string | null;

  @ApiProperty({ type: OrganizationRetentionView, nullable: true, description: 'This organization’s own policy, if it set one.' })
  organizationPolicy!: OrganizationRetentionView | null;
}

export class StorageLocationView {
  @ApiProperty({ example: 'contacts' })
  table!: string;

  @ApiProperty({ example: 'first_name' })
  column!: string;
}

export class PersonalDataFieldRecordView {
  @ApiProperty({ example: 'Contact' })
  entity!: string;

  @ApiProperty({ example: 'firstName' })
  field!: string;

  @ApiProperty({ enum: ['identity', 'contact_details', 'free_text', 'online_identifiers', 'custom'] })
  category!: string;

  @ApiProperty({ example: 'Customer relationship management on behalf of the tenant (controller)' })
  purpose!: string;

  @ApiProperty({ example: 'Contacts of the organization’s customers and prospects' })
  dataSubjects!: string;

  @ApiProperty({ type: FieldRetentionView })
  retention!: FieldRetentionView;

  @ApiProperty({ enum: ['anonymise', 'null', 'delete'], description: 'What an erasure request does to the value.' })
  erasure!: string;

  @ApiProperty({ type: StorageLocationView })
  storage!: StorageLocationView;
}

export class OtherStoreView {
  @ApiProperty({ example: 'response and query cache' })
  store!: string;

  @ApiProperty({ example: 'Redis (in-process in embedded mode)' })
  location!: string;

  @ApiProperty({ example: 'Copies of contact, company and activity views (names, email, phone, notes)' })
  contents!: string;

  @ApiProperty({ example: '60 seconds' })
  retention!: string;

  @ApiProperty({ example: 'Every entry of the organization is deleted and the store searched.', description: 'How an erasure covers it.' })
  erasure!: string;
}

export class ProcessingRecordsView {
  @ApiProperty({ format: 'date-time' })
  generatedAt!: string;

  @ApiProperty({ type: ProcessingPartyView })
  controller!: ProcessingPartyView;

  @ApiProperty({ type: ProcessingPartyView })
  processor!: ProcessingPartyView;

  @ApiProperty({ type: [PersonalDataFieldRecordView], description: 'Every declared personal-data field.' })
  fields!: PersonalDataFieldRecordView[];

  @ApiProperty({ type: [OtherStoreView], description: 'Where else personal data (or online identifiers) lives, and for how long.' })
  otherStores!: OtherStoreView[];

  @ApiProperty({ type: [String], example: ['Row-level security isolates every organization’s rows in PostgreSQL'] })
  securityMeasures!: string[];
}
