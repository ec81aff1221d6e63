// Each core module and the test files that exercise it: Stryker mutates the module and runs only
// these, so a module's score says what its own tests catch. A module joins this list with tests
// that check its values; new modules are added here (and nowhere else).
export const MODULES = [
  { mutate: 'daemon/downloads/progress.ts', tests: ['test/download-progress.test.ts'] },
  { mutate: 'daemon/catalog/estimate.ts', tests: ['test/estimate.test.ts', 'test/catalog.test.ts'] },
  { mutate: 'daemon/models/recommend.ts', tests: ['test/daemon/recommend.test.ts'] },
  { mutate: 'daemon/http/guards.ts', tests: ['test/daemon/guards.test.ts'] },
  { mutate: 'daemon/store/usage-repo.ts', tests: ['test/daemon/usage-values.test.ts', 'test/daemon/usage-store.test.ts', 'test/daemon/usage-repo.test.ts'] },
  { mutate: 'daemon/store/usage-summary.ts', tests: ['test/daemon/usage-summary.test.ts', 'test/daemon/usage-values.test.ts'] },
  { mutate: 'daemon/models/statistics.ts', tests: ['test/daemon/usage-values.test.ts'] },
  { mutate: 'daemon/compare/agreement.ts', tests: ['test/daemon/compare-metrics.test.ts'] },
  { mutate: 'daemon/compare/calibration.ts', tests: ['test/daemon/compare-calibration.test.ts'] },
  { mutate: 'daemon/compare/keywords.ts', tests: ['test/daemon/compare-metrics.test.ts'] },
  { mutate: 'daemon/compare/stats.ts', tests: ['test/daemon/compare-metrics.test.ts'] },
  { mutate: 'daemon/compare/report.ts', tests: ['test/daemon/compare-metrics.test.ts'] },
  { mutate: 'daemon/evaluation/vocabulary.ts', tests: ['test/daemon/vocabulary.test.ts', 'test/daemon/vocabulary-values.test.ts'] },
  { mutate: 'daemon/evaluation/keyword-key.ts', tests: ['test/daemon/vocabulary-values.test.ts', 'test/daemon/compare-metrics.test.ts'] },
  { mutate: 'daemon/runs/service.ts', tests: ['test/daemon/runs.test.ts', 'test/daemon/runs-service.test.ts'] },
  { mutate: 'daemon/store/runs-repo.ts', tests: ['test/daemon/runs.test.ts', 'test/daemon/runs-repo.test.ts'] },
];
