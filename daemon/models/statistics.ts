import type { ModelRow } from '../store/models-repo.js';
import type { UsageRepo, UsageTotals } from '../store/usage-repo.js';

export interface ModelStats {
  model: string;
  count: number;
  successes: number;
  /** Photos the model itself failed: an invalid answer after the retry, an error from Ollama while running it. */
  failures: number;
  /** Photos that failed through no fault of the model (missing image, Ollama not running, …): recorded, never held against it. */
  caller_faults: number;
  /** successes / (successes + failures): caller faults are left out. */
  success_rate: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  mean_load_ms: number | null;
  tokens_per_second: number | null;
  /** Photos answered from the evaluation cache: counted, but kept out of every duration. */
  cache_hits: number;
  /** Photos whose reported load took over COLD_START_LOAD_MS: the model was not in memory yet. */
  cold_starts: number;
  warm_mean_ms: number | null;
  warm_p50_ms: number | null;
  warm_p95_ms: number | null;
  /** The plugin's own end-to-end time per photo, where it reported one. */
  mean_client_ms: number | null;
  /** Loads the daemon asked for ahead of the first photo; never counted as photos. */
  warmups: number;
  mean_warmup_ms: number | null;
  first_used: string | null;
  last_used: string | null;
  imported: { usage_count: number | null; avg_ms: number | null; success_rate: number | null; last_used: string | null } | null;
  usage_count: number;
  avg_inference_time: number | null;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * A ratio as shown, or null when there is nothing to divide by or the result is not a finite
 * number: whatever the sums hold, a statistic stays something JSON can carry.
 */
function per(num: number, den: number, digits = 1, scale = 1): number | null {
  if (!(den > 0)) return null;
  const v = (num / den) * scale;
  return Number.isFinite(v) ? round(v, digits) : null;
}

/**
 * Figures for one model from its running totals (means, rates, throughput: exact ratios of counts
 * and sums, never a running approximation) and its duration histograms (percentiles, within 1% of
 * the exact ones; skipped where a caller such as the model list shows none). Both are kept per
 * batch beside the usage rows, so this costs the same at any number of rows.
 */
export function statsFor(model: string, totals: UsageTotals | undefined, usage: UsageRepo, row?: ModelRow, percentiles = true): ModelStats {
  const count = totals?.count ?? 0;
  const successes = totals?.successes ?? 0;
  const callerFaults = totals?.caller_faults ?? 0;
  const judged = count - callerFaults;
  const timed = totals?.timed_successes ?? 0;
  const warm = totals?.warm_successes ?? 0;
  const warmupsOk = totals ? totals.warmups - totals.warmup_failures : 0;
  const mean = totals ? per(totals.success_ms_sum, timed) : null;
  const imported =
    row && (row.imported_usage_count !== null || row.imported_avg_ms !== null || row.imported_success_rate !== null)
      ? {
          usage_count: row.imported_usage_count,
          avg_ms: row.imported_avg_ms,
          success_rate: row.imported_success_rate,
          last_used: row.imported_last_used,
        }
      : null;
  return {
    model,
    count,
    successes,
    failures: judged - successes,
    caller_faults: callerFaults,
    success_rate: per(successes, judged, 4),
    mean_ms: mean,
    p50_ms: percentiles ? usage.successPercentile(model, timed, 50) : null,
    p95_ms: percentiles ? usage.successPercentile(model, timed, 95) : null,
    mean_load_ms: totals ? per(totals.load_ms_sum, totals.load_count) : null,
    tokens_per_second: totals ? per(totals.eval_tokens_sum, totals.eval_ms_sum, 2, 1000) : null,
    cache_hits: totals?.cache_hits ?? 0,
    cold_starts: totals?.cold_starts ?? 0,
    warm_mean_ms: totals ? per(totals.warm_ms_sum, warm) : null,
    warm_p50_ms: percentiles ? usage.warmPercentile(model, warm, 50) : null,
    warm_p95_ms: percentiles ? usage.warmPercentile(model, warm, 95) : null,
    mean_client_ms: totals ? per(totals.client_ms_sum, totals.client_count) : null,
    warmups: totals?.warmups ?? 0,
    mean_warmup_ms: totals ? per(totals.warmup_ms_sum, warmupsOk) : null,
    first_used: totals?.first_ts != null ? new Date(totals.first_ts).toISOString() : null,
    last_used: totals?.last_ts != null ? new Date(totals.last_ts).toISOString() : null,
    imported,
    usage_count: count,
    avg_inference_time: totals ? per(totals.success_ms_sum, timed * 1000, 3) : null,
  };
}
