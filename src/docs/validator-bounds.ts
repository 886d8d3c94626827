import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { DOCUMENTED_CLASSES } from './plugin-metadata';

/** One validator's metadata, as class-validator's public metadata storage returns it. */
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
import { isReference } from './schema-examples';

/**
 * The bounds the server enforces, written into the document from the validators themselves: the
 * Swagger plugin reads only literal arguments (`@MaxLength(256)`), not `@MaxLength(TAG_LIMITS.maxLength)`
 * or `@Matches(E164)`, so without this the document would claim less than the server checks.
 * Every body class's class-validator metadata becomes `maxLength`, `minLength`, `pattern`,
 * `maxItems`, `minItems`, `uniqueItems`, `minimum`, `maximum` and `type: integer` on its schema
 * (or on `items` for `each` validators). What a DTO states explicitly is kept.
 */
export function applyValidatorBounds(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, target] of DOCUMENTED_CLASSES) {
    const schema = schemas[name];
    if (!schema || isReference(schema)) continue;
    // With the inherited ones: `PartialType(CreateXDto)` keeps its validators on an anonymous parent class.
    for (const metadata of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
      const property = schema.properties?.[metadata.propertyName];
      if (!property || isReference(property)) continue;
      const subject = metadata.each ? (property.items && !isReference(property.items) ? property.items : undefined) : property;
      if (subject) applyConstraint(subject, property, metadata);
    }
  }
}

function applyConstraint(subject: SchemaObject, property: SchemaObject, { name, constraints }: ValidationMetadata): void {
  const [first, second] = constraints ?? [];
  const set = <K extends keyof SchemaObject>(key: K, value: SchemaObject[K]) => {
    if (subject[key] === undefined && value !== undefined) subject[key] = value;
  };
  switch (name) {
    case 'maxLength':
      if (subject.type === 'string') set('maxLength', first as number);
      break;
    case 'minLength':
      if (subject.type === 'string') set('minLength', first as number);
      break;
    case 'isLength':
      if (subject.type === 'string') {
        set('minLength', first as number);
        set('maxLength', second as number);
      }
      break;
    case 'matches':
      // Only what every regex dialect reads alike: no flags, no Unicode property escapes (\p{L}).
      if (subject.type === 'string' && first instanceof RegExp && first.flags === '' && !/\\[pP]\{/.test(first.source))
        set('pattern', first.source);
      break;
    case 'arrayMaxSize':
      if (property.type === 'array') set('maxItems', first as number);
      break;
    case 'arrayMinSize':
      if (property.type === 'array') set('minItems', first as number);
      break;
    case 'arrayUnique':
      if (property.type === 'array') set('uniqueItems', true);
      break;
    case 'isInt':
      if (subject.type === 'number') subject.type = 'integer';
      break;
    case 'min':
      if (subject.type === 'number' || subject.type === 'integer') set('minimum', first as number);
      break;
    case 'max':
      if (subject.type === 'number' || subject.type === 'integer') set('maximum', first as number);
      break;
    default:
      break;
  }
}
