import { defineConfig } from 'vitest/config';

// Stryker runs each module against the test files that exercise it (scripts/mutation/modules.mjs),
// passed in by scripts/mutation/run.mjs: the whole suite would take hours per module on two cores.
const tests = (process.env.JUNMAI_MUTATION_TESTS ?? '').split(',').filter(Boolean);
if (tests.length === 0) throw new Error('JUNMAI_MUTATION_TESTS names no test files: run Stryker through npm run test:mutation');

export default defineConfig({
  test: { include: tests, testTimeout: 20_000, hookTimeout: 20_000 },
});
