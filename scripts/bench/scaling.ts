import { startTestDaemon } from '../../test/support/daemon.js';
import { median, medianMs, requestsPerSecond } from './measure.js';
import { naiveStatisticsMs } from './statistics.js';
import { httpRowsPerSecond, repoRowsPerSecond, seedUsage } from './usage-rows.js';

const SIZES = [10_000, 100_000, 1_000_000];

interface Figures {
  list: number;
  http100: number;
  repo: number;
  stats: number;
  naive: number;
}

/**
 * The same figures at 10k, 100k and 1M usage rows in one daemon: the model list, usage ingest
 * (HTTP, 100 distinct records a request from a client in a child process; the store's batch path) and the statistics route beside
 * the naive scan. The last column is the figure at 1M over the one at 10k: 1.00 is flat.
 */
export async function benchScaling(): Promise<string[]> {
  const t = await startTestDaemon({ installed: ['gemma3:4b'] });
  const at: Figures[] = [];
  try {
    await t.req('POST', '/api/model/sync', { body: {} });
    // One unmeasured pass first, so the smallest size is not also the one that warms the JIT.
    await requestsPerSecond(`${t.url}/api/model/list`, { seconds: 1 });
    let next = (await httpRowsPerSecond(t.url, 0, 20, 100)).next;
    repoRowsPerSecond(t.daemon.store, next, 20, 100);
    next += 2000;
    await medianMs(9, () => t.req('GET', '/api/model/statistics'));
    for (const size of SIZES) {
      next = seedUsage(t.daemon.store, size).next;
      const list = (await requestsPerSecond(`${t.url}/api/model/list`, { seconds: 2 })).rps;
      const http100: number[] = [];
      const repo: number[] = [];
      for (let round = 0; round < 3; round++) {
        const h = await httpRowsPerSecond(t.url, next, 20, 100);
        http100.push(h.rps);
        repo.push(repoRowsPerSecond(t.daemon.store, h.next, 20, 100));
        next = h.next + 2000;
      }
      const stats = await medianMs(9, () => t.req('GET', '/api/model/statistics'));
      at.push({ list, http100: median(http100), repo: median(repo), stats, naive: await naiveStatisticsMs(t.daemon.store, 3) });
    }
  } finally {
    await t.close();
  }
  const cols: [string, keyof Figures, string][] = [
    ['GET /api/model/list', 'list', 'req/s'],
    ['ingest, 100 rec/request', 'http100', 'rec/s'],
    ['ingest, store batch of 100', 'repo', 'rec/s'],
    ['GET /api/model/statistics', 'stats', 'ms'],
    ['naive GROUP BY scan', 'naive', 'ms'],
  ];
  const cell = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)).padStart(16);
  return [
    `  ${''.padEnd(32)}${SIZES.map((s) => `${s.toLocaleString('en-US')} rows`.padStart(16)).join('')}   1M / 10k`,
    ...cols.map(([name, key, unit]) => `  ${`${name} (${unit})`.padEnd(32)}${at.map((f) => cell(f[key])).join('')}   ${((at[2] as Figures)[key] / (at[0] as Figures)[key]).toFixed(2)}`),
    '  (after one unmeasured warm-up pass; each size adds ~13,000 rows while measured; ingest is a median of 3 rounds, statistics of 9 requests)',
  ];
}
