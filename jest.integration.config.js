/**
 * Integration tests: the Nest modules under test (Test.createTestingModule, no HTTP adapter) or
 * plain classes against the real PostgreSQL and Redis; the same global set-up as e2e migrates the
 * database once before any file runs.
 */
module.exports = {
  ...require('./jest.shared.config'),
  roots: ['<rootDir>/test/integration'],
  testRegex: '\\.int-spec\\.ts$',
  setupFiles: ['<rootDir>/test/support/isolate-orm-metadata.ts', '<rootDir>/test/support/release-async-storages.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
