import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildApp {
  readonly process: ChildProcess;
  readonly baseUrl: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

const ROOT = join(__dirname, '..', '..');

/** Starts a TypeScript entry point of ours in a child process and waits for its `listening <port>` line. */
export async function startChildApp(entry: string, env: Record<string, string> = {}): Promise<ChildApp> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`${entry} exited with ${code} before listening:\n${stderr}`)));
  });
  return { process: child, baseUrl: `http://127.0.0.1:${port}`, exited };
}

/** Stops a child app started by a suite (if it started and still runs) and waits for it to exit. */
export async function stopChildApp(child: ChildApp | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  child.process.kill('SIGTERM');
  await child.exited;
}
