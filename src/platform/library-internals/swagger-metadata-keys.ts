/**
 * Library internal: the reflect-metadata keys under which @nestjs/swagger's decorators record
 * their options (its `DECORATORS` constants, in `@nestjs/swagger/dist/constants`, which the
 * package does not export):
 * - `swagger/apiModelProperties` on a prototype and property: `@ApiProperty()`'s options;
 * - `swagger/apiModelPropertiesArray` on a prototype: the documented property names, each as `:name`;
 * - `swagger/apiOperation` on a route handler: `@ApiOperation()`'s options (its `operationId`).
 *
 * Why: the docs correct the types SWC reflects for nullable properties (docs/plugin-metadata.ts),
 * and the audit log names an action after the route's operation id (compliance/audit). There is
 * no public reader for either. swagger-metadata-keys.spec.ts fails when a key changes.
 */
export const SWAGGER_MODEL_PROPERTIES = 'swagger/apiModelProperties';
export const SWAGGER_MODEL_PROPERTIES_ARRAY = `${SWAGGER_MODEL_PROPERTIES}Array`;
export const SWAGGER_OPERATION = 'swagger/apiOperation';
