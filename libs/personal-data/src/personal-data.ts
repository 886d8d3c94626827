/**
 * Which fields hold personal data, of what kind, why we keep them and for how long. Declared
 * next to each field (`@PersonalData(...)`); the compliance module builds the GDPR Art. 30 record
 * of processing, subject-access exports and erasure from this registry, so a new personal field
 * is covered the day it is declared.
 */
export type PersonalDataCategory =
  | 'identity' // names
  | 'contact_details' // email, phone, address
  | 'free_text' // notes that may mention anyone
  | 'online_identifiers' // IP addresses, user agents
  | 'custom'; // tenant-defined fields whose content we cannot know

export interface PersonalDataField {
  /** The entity's class name, e.g. `Contact`. */
  readonly entity: string;
  readonly property: string;
  readonly category: PersonalDataCategory;
  readonly purpose: string;
  /** The retention category (see the compliance module's policies) that governs deletion. */
  readonly retention: string;
  /** Whether an erasure request replaces the value (`anonymise`) or drops it (`null`). */
  readonly erasure: 'anonymise' | 'null';
  /** Where the value lives, for a table without an entity (reached through SQL); an entity's field is located through the ORM. */
  readonly storage?: PersonalDataStorage;
}

/** A column of a table that has no entity: its place and type as the migration created it. */
export interface PersonalDataStorage {
  readonly table: string;
  readonly column: string;
  readonly columnType: string;
  readonly nullable: boolean;
}

const registry: PersonalDataField[] = [];

export function PersonalData(declaration: Omit<PersonalDataField, 'entity' | 'property'>): PropertyDecorator {
  return (target, property) => {
    registry.push({ entity: target.constructor.name, property: String(property), ...declaration });
  };
}

/**
 * Declares a personal-data column of a table that has no entity (the SCIM tables, say), under the
 * name `entity` gives it in the record of processing, with its storage spelled out.
 */
export function declarePersonalDataColumn(
  entity: string,
  property: string,
  storage: PersonalDataStorage,
  declaration: Omit<PersonalDataField, 'entity' | 'property' | 'storage'>,
): void {
  registry.push({ entity, property, storage, ...declaration });
}

/** Every declared personal-data field, in declaration order. */
export function personalDataFields(): readonly PersonalDataField[] {
  return registry;
}
