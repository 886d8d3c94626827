/** What is generic and not a feature of its own: see library-internals/. */
export * from './library-internals';
