import { Knex, MetadataStorage } from '@mikro-orm/postgresql';
import { erasureAssignments, isErased, personalDataColumns } from '../personal-data';

export interface PersonalDataErasure {
  /** `col = value, ...` for an UPDATE's SET list. */
  readonly assignments: Knex.Raw;
  /** True for a row (under `alias`) whose personal fields all hold their erased values already. */
  readonly isErased: Knex.Raw;
}

/**
 * The erasure of an entity's personal-data fields governed by one retention category: the same
 * `@PersonalData` declarations and erased values a data subject's erasure uses, so a contact
 * erased either way looks the same and is not anonymised twice.
 */
export function personalDataErasure(
  knex: Knex,
  metadata: MetadataStorage,
  entity: string,
  retention: string,
  alias: string,
): PersonalDataErasure {
  const columns = personalDataColumns(metadata).filter((column) => column.entity === entity && column.retention === retention);
  if (columns.length === 0) throw new Error(`${entity} declares no personal data under retention ${retention}`);
  return { assignments: erasureAssignments(knex, columns), isErased: isErased(knex, columns, alias) };
}
