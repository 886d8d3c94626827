import { EntityManager, Knex, MetadataStorage } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { PersonalDataField, personalDataFields } from '@app/personal-data';

/** What an anonymised text field reads after erasure, whether a data subject asked or retention did it. */
export const ERASED_PLACEHOLDER = '[erased]';

/** A declared personal-data field and where PostgreSQL keeps it. */
export interface PersonalDataColumn extends PersonalDataField {
  readonly table: string;
  readonly column: string;
  readonly columnType: string;
  readonly nullable: boolean;
}

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * The personal-data registry (`@PersonalData` on entity properties) joined with the ORM's mapping,
 * so the Art. 30 record names real tables and columns and erasure updates exactly the declared
 * columns: a field declared tomorrow is erased tomorrow, without a change here.
 */
@Injectable()
export class PersonalDataColumns {
  private columns?: readonly PersonalDataColumn[];

  constructor(private readonly em: EntityManager) {}

  all(): readonly PersonalDataColumn[] {
    this.columns ??= personalDataColumns(this.em.getMetadata());
    return this.columns;
  }

  of(entity: string): readonly PersonalDataColumn[] {
    return this.all().filter((column) => column.entity === entity);
  }
}

/** Every declared personal-data field with its table and column, once each. */
export function personalDataColumns(metadata: MetadataStorage): readonly PersonalDataColumn[] {
  // A field is declared once per class; a class loaded twice (tests, watch mode) must not list it twice.
  const unique = new Map(personalDataFields().map((field) => [`${field.entity}.${field.property}`, field]));
  return [...unique.values()].map((field) => locate(metadata, field));
}

function locate(metadata: MetadataStorage, field: PersonalDataField): PersonalDataColumn {
  const { storage, ...declared } = field;
  if (storage) return { ...declared, ...storage };
  const meta = metadata.find(field.entity);
  const property = meta?.properties[field.property as never] as
    { fieldNames?: string[]; columnTypes?: string[]; type?: string; nullable?: boolean } | undefined;
  return {
    ...field,
    table: meta?.tableName ?? snakeCase(field.entity),
    column: property?.fieldNames?.[0] ?? snakeCase(field.property),
    columnType: (property?.columnTypes?.[0] ?? property?.type ?? 'text').toLowerCase(),
    nullable: property?.nullable ?? false,
  };
}

/**
 * `"column" = <value>` assignments that erase the given columns, as a knex raw for an UPDATE's SET
 * list: `null` where the column allows it, else the column type's empty value; `anonymise` writes
 * the placeholder into text and an empty document into JSON. Columns are `??` and values `?` bindings.
 */
export function erasureAssignments(knex: Knex, columns: readonly PersonalDataColumn[]): Knex.Raw {
  return knex.raw(
    columns.map((column) => `?? = ${erasedValue(column).text}`).join(', '),
    columns.flatMap((column) => [column.column, ...erasedValue(column).bindings]),
  );
}

/** True (SQL) for a row under `alias` whose given columns all hold their erased values already. */
export function isErased(knex: Knex, columns: readonly PersonalDataColumn[], alias: string): Knex.Raw {
  return knex.raw(
    columns.map((column) => `?? is not distinct from ${erasedValue(column).text}`).join(' and '),
    columns.flatMap((column) => [`${alias}.${column.column}`, ...erasedValue(column).bindings]),
  );
}

/** The value a column holds once erased: `null`, or a bound value cast to the column's type. */
function erasedValue(column: PersonalDataColumn): { text: string; bindings: string[] } {
  if (column.erasure === 'null' && column.nullable) return { text: 'null', bindings: [] };
  const emptyValue = column.columnType.startsWith('json') || column.columnType.endsWith('[]');
  if (emptyValue) return { text: `?::${column.columnType}`, bindings: ['{}'] };
  return { text: '?::text', bindings: [ERASED_PLACEHOLDER] };
}

/** The free-text columns (notes, subjects) where a person may be mentioned by anyone. */
export function freeTextColumns(columns: readonly PersonalDataColumn[]): readonly PersonalDataColumn[] {
  return columns.filter((column) => column.category === 'free_text');
}
