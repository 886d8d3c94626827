/**
 * Library internal: @nestjs/cli's `PluginMetadataGenerator`, from
 * `@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator` (the package has no exports map;
 * Nest's SWC recipe names this path), with its `generate({ visitors, outputDir, filename, tsProgramRef })`.
 *
 * Why: it is how the Swagger CLI plugin's findings are written to a file outside `nest build`
 * (scripts/docs-metadata.ts writes src/docs/swagger-metadata.ts with it).
 *
 * Development only: @nestjs/cli is a dev dependency, so this file is not in the folder's index and
 * nothing the server loads imports it. nest-plugin-metadata-generator.spec.ts fails when it moves.
 */
export { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator';
