/**
 * What is generic and not a feature of its own: library-internals/ (re-exported here), and the jobs/
 * and signing/ modules, each reached through its own index.ts: they build on tenancy, which uses
 * library-internals through this file, so re-exporting them here would make a cycle.
 */
export * from './library-internals';
