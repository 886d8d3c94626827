export { buildOpenApiDocument } from './openapi';
export { setupDocs, DOCS_PATH } from './docs-routes';
export { DOC_FILES, RenderedDocs, renderDocs } from './rendered-docs';
export { POSTMAN_SCHEMA, PostmanCollection, PostmanFolder, PostmanItem, postmanItems, toPostmanCollection } from './postman';
export { publicOrigin } from './public-origin';
