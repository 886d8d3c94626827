/**
 * Runs the real app with the test probe routes in a child process, so a test can send it a real
 * SIGTERM. Prints `listening <port>` once it accepts connections.
 */
import { AddressInfo } from 'node:net';
import { installGracefulShutdown } from '../../src/lifecycle';
import { ProbeModule } from './probe.module';
import { createTestApp } from './test-app';

async function serve(): Promise<void> {
  const { app, config } = await createTestApp({ imports: [ProbeModule] });
  installGracefulShutdown(app, config, { exit: (code) => process.exit(code) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`listening ${(app.getHttpServer().address() as AddressInfo).port}\n`);
}

serve().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
