// Mutation testing of the TypeScript layer (`npm run test:mutation`); docs/mutation-testing.md says
// how to run it on one folder and what the surviving mutants mean.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The `critical` vitest project only (unit + conformance), see vitest.mutation.config.ts. Not
  // Stryker's `testFiles` option: with it, mutants that run at module load are never activated.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // backend.ts holds interfaces only; index files only re-export.
  mutate: ['src/**/*.ts', '!src/backends/backend.ts'],
  // Each mutant runs only the tests that executed its code in the first (coverage) run.
  coverageAnalysis: 'perTest',
  // Two cores, shared: one test process at a time.
  concurrency: 1,
  // `npm run test:mutation -- --incremental` reuses the verdicts of unchanged code and tests.
  incrementalFile: '.cache/stryker-incremental.json',
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  // The sandbox copy needs src/, __test__/, protocol/ and native/ (the built addon); not the Rust side.
  ignorePatterns: ['/target', '/fuzz', '/crates', '/dist', '/coverage', '/.cache', '/benchmark', '/npm'],
}
