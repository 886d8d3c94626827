import { existsSync, statSync } from 'node:fs';
import { SWAGGER_UI_ASSETS, swaggerUiAssetPath } from './swagger-ui-assets';

/** Fails when swagger-ui-dist moves a file the explorer serves. */
describe('swagger-ui-dist files', () => {
  it.each(SWAGGER_UI_ASSETS)('%s is where swagger-ui-assets.ts looks, and not empty', (asset) => {
    const path = swaggerUiAssetPath(asset);

    expect(existsSync(path)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(0);
  });
});
