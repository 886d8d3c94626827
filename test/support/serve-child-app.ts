import { AddressInfo } from 'node:net';
import { ModuleMetadata } from '@nestjs/common';
import { installGracefulShutdown } from '../../src/lifecycle';
import { createTestApp } from './test-app';

/**
 * The body of a child-app entry point (see startChildApp): the real app plus `imports`, with the
 * graceful shutdown main.ts installs, on a free port; prints `listening <port>` once it accepts
 * connections, and exits 1 with the stack when it cannot start.
 */
export function serveChildApp(imports: ModuleMetadata['imports']): void {
  const serve = async () => {
    const { app, config } = await createTestApp({ imports });
    installGracefulShutdown(app, config, { exit: (code) => process.exit(code) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`listening ${(app.getHttpServer().address() as AddressInfo).port}\n`);
  };
  serve().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}
