// StrykerJS for the core modules; run through `npm run test:mutation` (scripts/mutation/run.mjs),
// which mutates one module at a time against its own test files.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'scripts/mutation/vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // Two cores are shared: one test process at a time (JUNMAI_MUTATION_CONCURRENCY raises it on a bigger machine).
  concurrency: Number(process.env.JUNMAI_MUTATION_CONCURRENCY ?? 1),
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: process.env.JUNMAI_MUTATION_REPORT ?? 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'coverage', 'junmai.lrplugin', 'reports'],
};
