import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DOC_FILES } from '../../../src/docs';
import { useTestApp } from '../../support/suite';

const ROOT = join(__dirname, '../../..');

/**
 * The committed docs/ (written by `npm run docs:export`, without a database) is byte for byte what
 * the running server serves, and the committed plugin metadata is what the sources give today.
 * When either fails: `npm run docs:metadata && npm run docs:export`, then review and commit the diff.
 */
describe('Exported documentation (e2e)', () => {
  const suite = useTestApp();

  it.each(Object.values(DOC_FILES))('docs/%s is exactly what the server serves under /docs', async (file) => {
    const served = await suite.app.inject({ method: 'GET', url: `/docs/${file}` });

    expect(served.statusCode).toBe(200);
    expect(readFileSync(join(ROOT, 'docs', file), 'utf8')).toBe(served.body);
  });

  // In a child process: the generator runs the TypeScript compiler and prettier, which Jest's module system cannot load.
  it('src/docs/swagger-metadata.ts is what `npm run docs:metadata` generates from the current sources', async () => {
    const check = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'scripts/docs-metadata.ts', '--check'], {
      cwd: ROOT,
    }).then(
      ({ stdout }) => ({ exitCode: 0, output: stdout }),
      (error: { code?: number; stderr?: string }) => ({ exitCode: error.code ?? 1, output: error.stderr ?? '' }),
    );

    expect(check).toEqual({ exitCode: 0, output: 'src/docs/swagger-metadata.ts is up to date.\n' });
  }, 120_000);
});
