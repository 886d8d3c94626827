import { PluginMetadataGenerator } from './nest-plugin-metadata-generator';

/**
 * Fails when @nestjs/cli moves the generator scripts/docs-metadata.ts runs (the e2e check that the
 * committed swagger-metadata.ts is current runs it end to end).
 */
describe("@nestjs/cli's plugin metadata generator", () => {
  it('is a class with the generate(options) method the script calls', () => {
    expect(typeof PluginMetadataGenerator).toBe('function');
    expect(PluginMetadataGenerator.prototype.generate.length).toBe(1);
  });
});
