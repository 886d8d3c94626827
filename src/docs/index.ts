export { buildOpenApiDocument, setupDocs } from './openapi';
