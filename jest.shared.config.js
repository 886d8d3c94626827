// Jest writes its --json results here (see package.json) and does not create the folder itself.
require('node:fs').mkdirSync(require('node:path').join(__dirname, 'test-results'), { recursive: true });

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          // Rewrites the @app/* aliases at compile time, so code outside Jest's module registry
          // (globalSetup, child processes) resolves them too.
          baseUrl: __dirname,
          paths: { '@app/request-context': ['libs/request-context/src'], '@app/http': ['libs/http/src'], '@app/personal-data': ['libs/personal-data/src'] },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    '^@app/request-context$': '<rootDir>/libs/request-context/src',
    '^@app/http$': '<rootDir>/libs/http/src',
    '^@app/personal-data$': '<rootDir>/libs/personal-data/src',
  },
};
