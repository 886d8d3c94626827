/** e2e tests: the real app over HTTP on Fastify, real PostgreSQL and Redis. */
module.exports = {
  ...require('./jest.shared.config'),
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  setupFiles: ['<rootDir>/test/support/isolate-orm-metadata.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
};
