/** Unit tests: co-located *.spec.ts, pure logic, no services. */
module.exports = {
  ...require('./jest.shared.config'),
  roots: ['<rootDir>/src', '<rootDir>/libs'],
  testRegex: '\\.spec\\.ts$',
};
