import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { version as PACKAGE_VERSION } from '../../../package.json';

const COMMIT = /^[0-9a-f]{7,40}$/i;

/**
 * The project root, as src/database/orm-options.ts finds it: src/compliance/evidence when run from
 * sources (tests), dist/src/compliance/evidence when compiled (dist/ may hold a package.json copy,
 * so looking for one would stop too early).
 */
export const PROJECT_ROOT = resolve(__dirname, __filename.endsWith('.ts') ? '../../..' : '../../../..');

let commit: string | undefined;

/**
 * The commit this build came from: GIT_COMMIT (set by the image build or deploy), else what git
 * says about the working copy, else `unknown`. Read once per process: it cannot change while it runs.
 */
export function buildCommit(env: NodeJS.ProcessEnv = process.env): string {
  if (commit !== undefined) return commit;
  const fromEnv = env.GIT_COMMIT?.trim();
  commit = fromEnv && COMMIT.test(fromEnv) ? fromEnv.toLowerCase() : (commitFromGit() ?? 'unknown');
  return commit;
}

function commitFromGit(): string | undefined {
  try {
    const output = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const hash = output.toString().trim();
    return COMMIT.test(hash) ? hash : undefined;
  } catch {
    // No git binary or no repository (the production image): the caller reports `unknown`.
    return undefined;
  }
}

export const APPLICATION_VERSION = PACKAGE_VERSION;
