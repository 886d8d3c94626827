/**
 * `npm run docs:export`: writes docs/openapi.json, docs/openapi.yaml and docs/postman.json byte for
 * byte as the server serves them, so they can be published and diffed in review. Needs no database
 * or Redis: Nest builds the module graph in preview mode, where no provider is instantiated and
 * nothing connects, and the document needs only the graph (controllers and their metadata).
 *
 * `--check` writes nothing and exits 1 when the committed files differ from a fresh export.
 *
 * The committed files name the default origin (http://127.0.0.1:3000) in `servers` and the quick
 * start, as a default-configured server serves them. `--origin=<url> --out=<dir>` writes the
 * documents as a server reached at <url> serves them (CI compares those with a server on another port).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { loadConfig, withDatabaseUrl } from '../src/config';
import { DOC_FILES, RenderedDocs, buildOpenApiDocument, publicOrigin, renderDocs } from '../src/docs';

const DOCS_DIR = resolve(__dirname, '..', 'docs');

/** The documents of the whole application, built without starting it. */
export async function exportDocs(origin?: string): Promise<RenderedDocs> {
  // Defaults only: the module graph (and so the document) does not depend on configuration.
  const config = withDatabaseUrl(loadConfig({}), 'postgres://docs-export@127.0.0.1:9/never-connected');
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  return renderDocs(await buildOpenApiDocument(app, origin ?? publicOrigin(config.http)));
}

const option = (name: string): string | undefined =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) || undefined;

async function main(): Promise<void> {
  const docs = await exportDocs(option('origin')?.replace(/\/+$/, ''));
  const entries = Object.entries(DOC_FILES) as [keyof RenderedDocs, string][];
  if (process.argv.includes('--check')) {
    const stale = entries.filter(([kind, file]) => {
      try {
        return readFileSync(join(DOCS_DIR, file), 'utf8') !== docs[kind];
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      process.stderr.write(
        `docs/ is stale (${stale.map(([, file]) => file).join(', ')}): run \`npm run docs:export\` and commit the result.\n`,
      );
      process.exit(1);
    }
    process.stdout.write('docs/ matches the application.\n');
    return;
  }
  const dir = option('out') ?? DOCS_DIR;
  mkdirSync(dir, { recursive: true });
  for (const [kind, file] of entries) writeFileSync(join(dir, file), docs[kind]);
  process.stdout.write(`Wrote ${entries.map(([, file]) => join(dir === DOCS_DIR ? 'docs' : dir, file)).join(', ')}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`docs export failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
