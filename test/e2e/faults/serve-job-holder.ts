/**
 * An app instance in a child process that runs one slow job at once, so a test can freeze it
 * (SIGSTOP) while it holds the job's lease. Prints `listening 0` once up, `job started` when the
 * run has the lease and `job finished <status> <runId>` at the end. With FAULT_JOB_ORG_MS set the
 * run walks every organization through Jobs.forEachOrganization, spending that long on each and
 * printing `org <id>` as it starts one; otherwise it works FAULT_JOB_MS in one piece.
 */
import { Jobs } from '../../../src/platform/jobs';
import { createTestApp } from '../../support/test-app';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { app } = await createTestApp();
  const jobs = app.get(Jobs);
  const workMs = Number(process.env.FAULT_JOB_MS ?? 5_000);
  const orgMs = process.env.FAULT_JOB_ORG_MS ? Number(process.env.FAULT_JOB_ORG_MS) : null;
  jobs.register({
    name: 'fault-slow',
    description: 'a slow run holding its lease',
    run: async (): Promise<Record<string, number>> => {
      process.stdout.write('job started\n');
      if (orgMs === null) {
        await pause(workMs);
        return { slept: workMs };
      }
      const organizations = await jobs.forEachOrganization('fault-slow', async (orgId) => {
        process.stdout.write(`org ${orgId}\n`);
        await pause(orgMs);
      });
      return { organizations };
    },
  });
  process.stdout.write('listening 0\n');
  const result = await jobs.runNow('fault-slow');
  process.stdout.write(`job finished ${result.status} ${'runId' in result ? result.runId : '-'}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
