/**
 * Module boundaries (STYLE.md 13): a feature module is reached through its module class and
 * exported services, and libs/ never reach into src/. compliance/ and platform/ hold several
 * modules each, one per sub-folder, and the same rule applies to each of those.
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
        'A feature folder under src/ is reached from another only through its index.ts (in compliance/ and ' +
        'platform/, also through the index.ts of one of their modules). The generated Swagger plugin ' +
        'metadata is the one exception: it names every DTO file by design.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/docs/swagger-metadata\\.ts$' },
      to: {
        path: '^src/[^/]+/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/(compliance|platform)/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'modules-through-their-index',
      comment:
        'compliance/ and platform/ are folders of Nest modules (audit, privacy, retention, evidence, reports, ' +
        'offboarding; jobs, signing, library-internals): within the folder too, a module is reached from ' +
        'another only through its index.ts.',
      severity: 'error',
      from: { path: '^src/(compliance|platform)/([^/]+)/' },
      to: { path: '^src/$1/[^/]+/', pathNot: ['^src/$1/$2/', '^src/$1/[^/]+/index\\.ts$'] },
    },
    {
      name: 'module-folders-through-their-index',
      comment: 'The files at the top of compliance/ and platform/ (their module and index) use their modules through their index.ts too.',
      severity: 'error',
      from: { path: '^src/(compliance|platform)/[^/]+$' },
      to: { path: '^src/$1/[^/]+/', pathNot: '^src/$1/[^/]+/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
