import { dirname, join } from 'node:path';

/**
 * Library internal: the layout of the `swagger-ui-dist` package, whose root folder holds the
 * explorer's files (`swagger-ui.css`, `swagger-ui-bundle.js`, the favicons), found from its
 * `package.json`.
 *
 * Why: the package's public way to find that folder, `getAbsoluteFSPath()`, is reached through its
 * main module, which evaluates the whole Swagger UI bundle in the server (about 10 MB of heap) just
 * to serve files. swagger-ui-assets.spec.ts fails when a file moves.
 */
export const SWAGGER_UI_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png'] as const;
export type SwaggerUiAsset = (typeof SWAGGER_UI_ASSETS)[number];

const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

/** Where the installed swagger-ui-dist keeps `asset`. */
export function swaggerUiAssetPath(asset: SwaggerUiAsset): string {
  return join(SWAGGER_UI_DIR, asset);
}
