/**
 * `npm run docs:metadata`: runs the @nestjs/swagger CLI plugin's analysis over the sources and
 * writes what it finds (property types, class-validator limits, response types) to
 * src/docs/swagger-metadata.ts, which the docs load at boot. The plugin itself only runs inside
 * `nest build`; the tests and `npm run docs:export` run the sources through SWC, so without this
 * file their document would differ from the compiled server's. Run it after changing a DTO or a
 * controller and commit the result (a test fails while it is stale).
 *
 * `node scripts/docs-metadata.ts --check` writes nothing and exits 1 when the committed file is stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { format, resolveConfig } from 'prettier';

type GenerateOptions = Parameters<PluginMetadataGenerator['generate']>[0];

const ROOT = resolve(__dirname, '..');
const TARGET = join(ROOT, 'src', 'docs', 'swagger-metadata.ts');

interface NestCliConfig {
  compilerOptions?: { plugins?: ({ name: string; options?: Record<string, unknown> } | string)[] };
}

/** The plugin options `nest build` uses, from nest-cli.json, so both see the same things. */
function pluginOptions(): Record<string, unknown> {
  const config = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as NestCliConfig;
  const plugin = config.compilerOptions?.plugins?.find((entry) => (typeof entry === 'string' ? entry : entry.name) === '@nestjs/swagger');
  return plugin && typeof plugin !== 'string' ? (plugin.options ?? {}) : {};
}

/**
 * The generator writes `import("../x")`. Under this project's `module: node16` TypeScript keeps
 * that a native ESM import, which needs file extensions at runtime; `require` works in the
 * compiled server, under SWC and under Jest alike.
 */
function asRequire(source: string): string {
  return source.replace(/\bimport\(("[^"]+")\)/g, 'Promise.resolve(require($1))');
}

/** The generated source, formatted as `npm run format` would, so formatting the repository leaves it unchanged. */
export async function generateSwaggerMetadata(): Promise<string> {
  const source = generateUnformatted();
  const options = await resolveConfig(TARGET);
  return format(source, { ...options, filepath: TARGET });
}

function generateUnformatted(): string {
  const outputDir = mkdtempSync(join(tmpdir(), 'atrium-swagger-metadata-'));
  try {
    new PluginMetadataGenerator().generate({
      visitors: [new ReadonlyVisitor({ ...pluginOptions(), pathToSource: join(ROOT, 'src', 'docs') })],
      outputDir,
      filename: 'swagger-metadata.ts',
      // Our own program: the generator's would exit the process on any type error anywhere.
      // (@nestjs/cli types it with its own copy of TypeScript; the project's is the one it runs with.)
      tsProgramRef: ReadonlyVisitor.createTsProgram(join(ROOT, 'tsconfig.build.json')) as unknown as GenerateOptions['tsProgramRef'],
    });
    return asRequire(readFileSync(join(outputDir, 'swagger-metadata.ts'), 'utf8'));
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const generated = await generateSwaggerMetadata();
  if (process.argv.includes('--check')) {
    const current = readFileSync(TARGET, 'utf8');
    if (current !== generated) {
      process.stderr.write('src/docs/swagger-metadata.ts is stale: run `npm run docs:metadata` and commit the result.\n');
      process.exit(1);
    }
    process.stdout.write('src/docs/swagger-metadata.ts is up to date.\n');
  } else {
    writeFileSync(TARGET, generated);
    process.stdout.write(`Wrote ${TARGET}\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
