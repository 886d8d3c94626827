/**
 * An app instance in a child process that works the organization-work queue for a test job,
 * `fault-fan-out`, so a test can kill it (SIGKILL) with an item in hand. Prints `listening 0` once
 * up and `item <orgId>` when it starts one. FANOUT_ROLE says what it then does:
 * - `stuck-before`: hangs before the item's transaction commits (its work is lost with it);
 * - `stuck-after`: commits the item (prints `committed <orgId>`), then hangs before the queue hears;
 * - `runner`: starts a run at once (`run started`), finishes its items once SIGHUP came (so the
 *   other instance, started first, gets one meanwhile), and prints `run finished <status> <runId>`;
 * - `holder`: holds its first item until SIGTERM, which also shuts the instance down as a deploy
 *   does (`app.close()`); the item then finishes and the instance prints `closed` and exits;
 * - `worker`: finishes each item at once.
 */
import { Jobs, OrganizationFanOut } from '../../../src/platform/jobs';
import { TenantDatabase } from '../../../src/tenancy';
import { createTestApp } from '../../support/test-app';

const role = process.env.FANOUT_ROLE ?? 'runner';
const signalled = (signal: NodeJS.Signals): Promise<void> => new Promise((resolve) => process.once(signal, () => resolve()));
const forever = new Promise<never>(() => undefined);

async function main(): Promise<void> {
  const released = signalled('SIGHUP');
  const terminated = signalled('SIGTERM');
  const { app } = await createTestApp();
  if (role === 'holder') {
    void terminated.then(async () => {
      await app.close();
      process.stdout.write('closed\n');
      process.exit(0);
    });
  }
  const database = app.get(TenantDatabase);
  app.get(OrganizationFanOut).register({
    name: 'fault-fan-out',
    description: 'one org at a time, held where the test says',
    forOrganization: async (orgId, _run, finish) => {
      process.stdout.write(`item ${orgId}\n`);
      if (role === 'stuck-before') await forever;
      if (role === 'runner') await released;
      if (role === 'holder') await terminated;
      await database.forOrganization(orgId, (em) => finish(em, { visited: 1 }));
      if (role === 'stuck-after') {
        process.stdout.write(`committed ${orgId}\n`);
        await forever;
      }
    },
  });
  process.stdout.write('listening 0\n');
  if (role !== 'runner') return;
  process.stdout.write('run started\n');
  const result = await app.get(Jobs).runNow('fault-fan-out');
  process.stdout.write(`run finished ${result.status} ${'runId' in result ? result.runId : '-'}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
