/**
 * The app's uses of library internals (STYLE.md 20), one module each, each naming the internal it
 * relies on and why, each with a spec that fails when the library moves it. Nothing outside this
 * folder reaches into a package's dist/, lib/ or src/, a private class or a private metadata key
 * (eslint.config.mjs enforces it). nest-plugin-metadata-generator.ts is left out on purpose: it is
 * for scripts/ only, and loads a dev dependency.
 */
export { knexClientOf, knexPoolOf, knexQueryId, KnexPool, queryOnPooledConnection } from './knex-client';
export { extendTransactions, StatementRows, TransactionStatements } from './knex-transaction';
export { packagedFontPath } from './packaged-fonts';
export { PgBossJobTable } from './pg-boss-job-table.repository';
export { SWAGGER_MODEL_PROPERTIES, SWAGGER_MODEL_PROPERTIES_ARRAY, SWAGGER_OPERATION } from './swagger-metadata-keys';
export { SWAGGER_UI_ASSETS, SwaggerUiAsset, swaggerUiAssetPath } from './swagger-ui-assets';
