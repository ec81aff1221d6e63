import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every integration test owns real ports, SQLite files and child processes; two cores run them fastest in forks.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
