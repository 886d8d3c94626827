import type { OpenAPIObject, SchemaObject } from '@nestjs/swagger';
import { isReference } from './schema-examples';

/**
 * Bodies whose required fields depend on one field's value, which a class cannot say: each becomes
 * a `oneOf` of closed variants, one per value, so a validator (and a generated client) knows that
 * `scope: contact` needs `contactId` and nothing else. Keyed by schema name: the field that
 * decides, and per value the fields that value requires (all others of the set are refused).
 */
const CONDITIONAL_BODIES: Record<string, { readonly by: string; readonly variants: Record<string, readonly string[]> }> = {
  CreateLegalHoldDto: { by: 'scope', variants: { organization: [], contact: ['contactId'], category: ['category'] } },
  // An SSO connection is OpenID Connect or SAML: each protocol's settings object goes with its type.
  PutSsoConnectionDto: { by: 'type', variants: { oidc: ['oidc'], saml: ['saml'] } },
};

export function splitConditionalBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, { by, variants }] of Object.entries(CONDITIONAL_BODIES)) {
    const schema = schemas[name];
    if (!schema || isReference(schema) || !schema.properties) continue;
    const conditional = new Set(Object.values(variants).flat());
    const common = Object.entries(schema.properties).filter(([property]) => property !== by && !conditional.has(property));
    const { properties: _properties, required: _required, type: _type, additionalProperties: _additional, ...rest } = schema;
    const oneOf = Object.entries(variants).map(([value, needs]): SchemaObject => ({
      type: 'object',
      title: `${by} ${value}`,
      required: [by, ...needs, ...(schema.required ?? []).filter((field) => field !== by && !conditional.has(field))],
      properties: Object.fromEntries([
        [by, { ...(schema.properties?.[by] as SchemaObject), enum: [value], example: value }],
        ...needs.map((field) => [field, schema.properties?.[field] as SchemaObject]),
        ...common,
      ]) as SchemaObject['properties'],
      additionalProperties: false,
    }));
    schemas[name] = { ...rest, oneOf };
  }
}
