/**
 * An app instance in a child process that runs one slow job at once, so a test can freeze it
 * (SIGSTOP) while it holds the job's lease. Prints `listening 0` once up, `job started` when the
 * run has the lease and `job finished <status>` at the end.
 */
import { Jobs } from '../../../src/compliance';
import { createTestApp } from '../../support/test-app';

async function main(): Promise<void> {
  const { app } = await createTestApp();
  const jobs = app.get(Jobs);
  const workMs = Number(process.env.FAULT_JOB_MS ?? 5_000);
  jobs.register({
    name: 'fault-slow',
    description: 'a slow run holding its lease',
    run: async () => {
      process.stdout.write('job started\n');
      await new Promise((resolve) => setTimeout(resolve, workMs));
      return { slept: workMs };
    },
  });
  process.stdout.write('listening 0\n');
  const result = await jobs.runNow('fault-slow');
  process.stdout.write(`job finished ${result.status}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
