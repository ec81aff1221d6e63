import { startTestDaemon } from '../../test/support/daemon.js';
import { fmt, row } from './measure.js';
import { httpRowsPerSecond, median, rawRowsPerSecond, repoRowsPerSecond, seedUsage } from './usage-rows.js';

const ROUNDS = 3;
/** Requests a round: 15,000 records 100 at a time (the rows raw and the store's batch path insert too), 1,000 one at a time. */
const BATCHES = 150;
const SINGLES = 1000;

/**
 * Usage ingest with a distinct photo id and duration in every record, into a table of 10,000 rows
 * and then of 1,000,000 (in a daemon of its own, so the sizes are exact): through HTTP 100 records
 * and one record a request, sent by a client in a child process so that the daemon's event loop
 * is measured alone, and through the store's batch path, each beside raw inserts of the same
 * rows into a plain unindexed table in the same round; medians of three rounds.
 */
export async function benchUsage(): Promise<string[]> {
  const t = await startTestDaemon({ installed: ['gemma3:4b'] });
  const lines: string[] = [];
  const at: Record<number, { http100: number; http1: number; repo: number }> = {};
  try {
    // One unmeasured pass of every path first, so that the first size is not also the one that warms the JIT
    // (6,300 rows: the first size is still seeded up to its count).
    let next = (await httpRowsPerSecond(t.url, 0, 40, 100)).next;
    next = (await httpRowsPerSecond(t.url, next, 300, 1)).next;
    rawRowsPerSecond(next, 100, 100);
    repoRowsPerSecond(t.daemon.store, next, 20, 100);
    next += 2000;
    for (const size of [10_000, 1_000_000]) {
      const seeded = seedUsage(t.daemon.store, size);
      next = seeded.next;
      const http100: number[] = [];
      const http1: number[] = [];
      const repo: number[] = [];
      const raw: number[] = [];
      const cpu100: number[] = [];
      const rawCpu: number[] = [];
      const errors: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const w = rawRowsPerSecond(next, BATCHES, 100);
        raw.push(w.rps);
        rawCpu.push(w.cpuUsPerRecord);
        const b = await httpRowsPerSecond(t.url, next, BATCHES, 100);
        const s = await httpRowsPerSecond(t.url, b.next, SINGLES, 1);
        repo.push(repoRowsPerSecond(t.daemon.store, s.next, BATCHES, 100));
        next = s.next + BATCHES * 100;
        http100.push(b.rps);
        cpu100.push(b.cpuUsPerRecord);
        http1.push(s.rps);
        errors.push(b.errors + s.errors);
      }
      const m = { http100: median(http100), http1: median(http1), repo: median(repo) };
      at[size] = m;
      const r = median(raw);
      const [cpu, rc] = [median(cpu100), median(rawCpu)];
      const label = size.toLocaleString('en-US');
      lines.push(
        `  (${label} rows: seeded in ${Math.round(seeded.ms)} ms through the batch path; each round adds ${(2 * BATCHES * 100 + SINGLES).toLocaleString('en-US')} rows)`,
        row(`ingest at ${label} rows, 100 rec/request`, fmt(m.http100, 'rec/s'), fmt(r, 'rec/s'), m.http100 / r),
        row(`ingest at ${label} rows, 1 rec/request`, fmt(m.http1, 'rec/s'), fmt(r, 'rec/s'), m.http1 / r),
        row(`ingest at ${label} rows, store batch of 100`, fmt(m.repo, 'rec/s'), fmt(r, 'rec/s'), m.repo / r),
        row(`  daemon CPU a record, 100 rec/request`, fmt(cpu, 'µs'), fmt(rc, 'µs'), rc / cpu),
        ...(errors.some((e) => e > 0) ? [`  (HTTP errors: ${errors.join(', ')})`] : []),
      );
    }
    const small = at[10_000] as { http100: number; http1: number; repo: number };
    const big = at[1_000_000] as { http100: number; http1: number; repo: number };
    lines.push(
      `  (baseline above: raw better-sqlite3 inserts of the same ${(BATCHES * 100).toLocaleString('en-US')} rows, 100 a transaction, plain table, no index, same round;`,
      `   HTTP from a client in a child process: 10 keep-alive connections, requests built before the clock starts, answers read off the sockets;`,
      `   daemon CPU: the daemon process's CPU time over the pass per record stored, beside raw's; ratio raw ÷ daemon)`,
      row('1M rows vs 10k rows, 100 rec/request', fmt(big.http100, 'rec/s'), fmt(small.http100, 'rec/s'), big.http100 / small.http100),
      row('1M rows vs 10k rows, store batch of 100', fmt(big.repo, 'rec/s'), fmt(small.repo, 'rec/s'), big.repo / small.repo),
    );
    return lines;
  } finally {
    await t.close();
  }
}
