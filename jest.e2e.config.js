/** e2e tests: the real app over HTTP on Fastify, real PostgreSQL and Redis. */
module.exports = {
  ...require('./jest.shared.config'),
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  setupFiles: ['<rootDir>/test/support/isolate-orm-metadata.ts', '<rootDir>/test/support/release-async-storages.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A safety net, not a wait (tests wait for events): the slowest tests under this default take about 10 s with
  // the machine busy, and a second `npm test` beside them can slow them severalfold; longer tests set their own.
  testTimeout: 90_000,
};
