/**
 * Module boundaries (STYLE.md 13): a feature module is reached through its module class and
 * exported services, and libs/ never reach into src/.
 */
module.exports = {
  forbidden: [
    {
      name: 'libs-do-not-import-app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-through-their-index',
      comment: 'Other code reaches a lib through its alias (@app/...), never its internals.',
      severity: 'error',
      from: { pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/([^/]+)/src/(?!index\\.ts$)' },
    },
    {
      name: 'features-through-their-index',
      comment:
        'A feature folder under src/ is reached from another only through its index.ts. The generated ' +
        'Swagger plugin metadata is the one exception: it names every DTO file by design.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/docs/swagger-metadata\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
