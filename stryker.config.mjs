// Mutation testing (`npm run mutation`; not part of CI: it runs the suite once per mutant and takes a while).
// Mutates the policies and the engine, the code whose numbers the reports are made of.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/policies/**/*.ts', 'src/engine/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Module-level constants would need the whole suite per mutant; their values are checked by the tests that cite them.
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
};
