import { startTestDaemon, type TestDaemon } from '../../test/support/daemon.js';
import { fmt, median, row } from './measure.js';
import { httpRowsPerSecond, rawRowsPerSecond, repoRowsPerSecond, seedUsage } from './usage-rows.js';

const ROUNDS = 5;
/** Requests a round: 15,000 records 100 at a time (the rows raw and the store's batch path insert too), 1,000 one at a time. */
const BATCHES = 150;
const SINGLES = 1000;

/**
 * Every path run for a while in a daemon of its own in this process first, whose rows are thrown
 * away: the measured daemon shares its compiled code, so the figures are a long-running daemon's
 * and not the JIT's first minutes (the CPU a request took still fell by half over the first 200,000 records).
 */
async function warmUp(): Promise<void> {
  const w = await startTestDaemon({ installed: ['gemma3:4b'] });
  try {
    let next = 0;
    for (let pass = 0; pass < 4; pass++) {
      next = (await httpRowsPerSecond(w.url, next, 500, 100)).next;
      next = (await httpRowsPerSecond(w.url, next, 500, 1)).next;
      rawRowsPerSecond(next, BATCHES, 100);
      repoRowsPerSecond(w.daemon.store, next, BATCHES, 100);
      next += BATCHES * 100;
    }
  } finally {
    await w.close();
  }
}

/**
 * Usage ingest with a distinct photo id and duration in every record, into a table of 10,000 rows
 * and of 1,000,000 (a daemon each, measured in turns): through HTTP 100 records
 * and one record a request, sent by a client in a child process so that the daemon's event loop
 * is measured alone, and through the store's batch path, each right after raw inserts of the
 * same rows into a plain unindexed table; medians of five rounds.
 */
export async function benchUsage(): Promise<string[]> {
  await warmUp();
  const sizes = [10_000, 1_000_000] as const;
  const daemons = [await startTestDaemon({ installed: ['gemma3:4b'] }), await startTestDaemon({ installed: ['gemma3:4b'] })];
  const lines: string[] = [];
  try {
    let next = 0;
    const seeded = sizes.map((size, i) => {
      const s = seedUsage((daemons[i] as TestDaemon).daemon.store, size, next);
      next = s.next;
      return s.ms;
    });
    type Pass = { http100: number; http1: number; repo: number; cpu100: number; raw: number; rawCpu: number; raw1: number; errors: number };
    const passes: Pass[][] = sizes.map(() => []);
    // The two sizes in turns within each round, the first of them swapped each round, and each right
    // after a raw pass of its own, of the rows it is about to store: a machine that slows down for a
    // while (raw's rate moves by half between rounds here) slows a pair alike instead of passing for
    // the larger table's cost or the daemon's, and going first favours neither size.
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 ? [1, 0] : [0, 1]) {
        const t = daemons[i] as TestDaemon;
        const raw = rawRowsPerSecond(next, BATCHES, 100);
        const b = await httpRowsPerSecond(t.url, next, BATCHES, 100);
        // Single records beside raw inserts one a transaction, as each request must commit before it is answered.
        const raw1 = rawRowsPerSecond(b.next, SINGLES, 1);
        const s = await httpRowsPerSecond(t.url, b.next, SINGLES, 1);
        const repo = repoRowsPerSecond(t.daemon.store, s.next, BATCHES, 100);
        next = s.next + BATCHES * 100;
        passes[i]?.push({ http100: b.rps, http1: s.rps, repo, cpu100: b.cpuUsPerRecord, raw: raw.rps, rawCpu: raw.cpuUsPerRecord, raw1: raw1.rps, errors: b.errors + s.errors });
      }
    }
    const medianOf = (ps: Pass[], f: (p: Pass) => number) => median(ps.map(f));
    sizes.forEach((size, i) => {
      const ps = passes[i] ?? [];
      const label = size.toLocaleString('en-US');
      const raw = fmt(medianOf(ps, (p) => p.raw), 'rec/s');
      const errors = ps.map((p) => p.errors);
      lines.push(
        `  (${label} rows: seeded in ${Math.round(seeded[i] as number)} ms through the batch path; each round adds ${(2 * BATCHES * 100 + SINGLES).toLocaleString('en-US')} rows)`,
        row(`ingest at ${label} rows, 100 rec/request`, fmt(medianOf(ps, (p) => p.http100), 'rec/s'), raw, medianOf(ps, (p) => p.http100 / p.raw)),
        `  (per round ${ps.map((p) => (p.http100 / p.raw).toFixed(2)).join(' ')})`,
        row(`ingest at ${label} rows, 1 rec/request`, fmt(medianOf(ps, (p) => p.http1), 'rec/s'), fmt(medianOf(ps, (p) => p.raw1), 'rec/s'), medianOf(ps, (p) => p.http1 / p.raw1)),
        `  (baseline: raw inserts of the same ${SINGLES.toLocaleString('en-US')} records, one a transaction)`,
        row(`ingest at ${label} rows, store batch of 100`, fmt(medianOf(ps, (p) => p.repo), 'rec/s'), raw, medianOf(ps, (p) => p.repo / p.raw)),
        row(`  daemon CPU a record, 100 rec/request`, fmt(medianOf(ps, (p) => p.cpu100), 'µs'), fmt(medianOf(ps, (p) => p.rawCpu), 'µs'), medianOf(ps, (p) => p.rawCpu / p.cpu100)),
        ...(errors.some((e) => e > 0) ? [`  (HTTP errors: ${errors.join(', ')})`] : []),
      );
    });
    const m = passes.map((ps) => ({ http100: medianOf(ps, (p) => p.http100), repo: medianOf(ps, (p) => p.repo) }));
    const [small, big] = m as [(typeof m)[number], (typeof m)[number]];
    const growth = (key: 'http100' | 'repo') => (passes[1] ?? []).map((p, k) => p[key] / ((passes[0] ?? [])[k]?.[key] ?? 1));
    lines.push(
      `  (baseline above: raw better-sqlite3 inserts of the same ${(BATCHES * 100).toLocaleString('en-US')} rows, 100 a transaction, plain table, no index, right before each daemon's`,
      `   passes; ratios are medians of each round's pair, rates medians of the rounds;`,
      `   HTTP from a client in a child process: 10 keep-alive connections, requests built before the clock starts, answers read off the sockets;`,
      `   daemon CPU: this process's CPU time over the pass per record stored, beside raw's; ratio raw ÷ daemon)`,
      row('1M rows vs 10k rows, 100 rec/request', fmt(big.http100, 'rec/s'), fmt(small.http100, 'rec/s'), median(growth('http100'))),
      `  (the two tables in turns in each round; per round ${growth('http100').map((g) => g.toFixed(2)).join(' ')})`,
      row('1M rows vs 10k rows, store batch of 100', fmt(big.repo, 'rec/s'), fmt(small.repo, 'rec/s'), median(growth('repo'))),
      `  (per round ${growth('repo').map((g) => g.toFixed(2)).join(' ')})`,
    );
    return lines;
  } finally {
    for (const t of daemons) await t.close();
  }
}
