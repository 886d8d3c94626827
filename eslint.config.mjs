import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

/**
 * Library internals stay in src/platform/library-internals/ (STYLE.md 20): each use named there,
 * with a spec that fails when the library moves it. Everywhere else, these are errors.
 */
const LIBRARY_INTERNALS = 'src/platform/library-internals/**';
const INTERNALS_MESSAGE = 'reaches into a library\'s internals: only src/platform/library-internals/ may, one named module per use, with a spec.';
// A package path (not relative, not node:) with a dist/, lib/ or src/ segment after the package name.
const DEEP_PACKAGE_PATH = '^(?:@[^/.][^/]*/)?[^@/.][^/:]*/(?:.+/)?(?:dist|lib|src)(?:/|$)';
// The same, for esquery selectors (which cannot hold a `/`).
const DEEP_PACKAGE_PATH_SELECTOR = DEEP_PACKAGE_PATH.replaceAll('/', '\\x2F');
const libraryInternalsRules = {
  'no-restricted-imports': ['error', { patterns: [{ regex: DEEP_PACKAGE_PATH, message: `A deep import ${INTERNALS_MESSAGE}` }] }],
  'no-restricted-syntax': [
    'error',
    {
      selector: `CallExpression[callee.name='require'][arguments.0.value=/${DEEP_PACKAGE_PATH_SELECTOR}/]`,
      message: `require() of a package's dist/lib/src file ${INTERNALS_MESSAGE}`,
    },
    {
      selector: `CallExpression[callee.object.name='require'][callee.property.name='resolve'][arguments.0.value=/${DEEP_PACKAGE_PATH_SELECTOR}/]`,
      message: `require.resolve() of a package's dist/lib/src file ${INTERNALS_MESSAGE}`,
    },
    {
      selector: `CallExpression:matches([callee.name=/^(join|resolve|dirname)$/], [callee.property.name=/^(join|resolve|dirname)$/]):not([callee.object.name='require']) MemberExpression[object.name='require'][property.name='resolve']`,
      message: `A path built from require.resolve() into a package's files ${INTERNALS_MESSAGE}`,
    },
    {
      selector: `MemberExpression[object.callee.property.name='getKnex'][property.name='client']`,
      message: `knex's client object ${INTERNALS_MESSAGE}`,
    },
    {
      selector: `MemberExpression[property.name='__knexQueryUid']`,
      message: `knex's query id ${INTERNALS_MESSAGE}`,
    },
    {
      selector: `Literal[value=/^swagger\\x2Fapi/]`,
      message: `A private @nestjs/swagger metadata key ${INTERNALS_MESSAGE}`,
    },
  ],
};

/** Node's globals, for bench/'s CommonJS scripts (the ones they use: add one when a script needs it). */
const NODE_GLOBALS = Object.fromEntries(
  [
    'require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'URL', 'URLSearchParams',
    'fetch', 'AbortController', 'AbortSignal', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'TextEncoder', 'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'docs/', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-identical-title': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect*', 'request.**.expect'] }],
    },
  },
  { files: ['**/*.ts', 'bench/**/*.js'], rules: libraryInternalsRules },
  {
    files: [LIBRARY_INTERNALS],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // The benchmark scripts: plain CommonJS run by node, outside the TypeScript project (no type-aware rules).
    files: ['bench/**/*.js'],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2023, globals: NODE_GLOBALS },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
