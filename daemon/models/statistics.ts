import type { ModelRow } from '../store/models-repo.js';
import type { UsageRepo, UsageTotals } from '../store/usage-repo.js';

export interface ModelStats {
  model: string;
  count: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  mean_load_ms: number | null;
  tokens_per_second: number | null;
  first_used: string | null;
  last_used: string | null;
  imported: { usage_count: number | null; avg_ms: number | null; success_rate: number | null; last_used: string | null } | null;
  usage_count: number;
  avg_inference_time: number | null;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * Figures for one model from its running totals (means, rates, throughput) and the duration
 * index (percentiles, skipped where a caller such as the model list shows none). Rates are exact
 * ratios of counts, never a running approximation.
 */
export function statsFor(model: string, totals: UsageTotals | undefined, usage: UsageRepo, row?: ModelRow, percentiles = true): ModelStats {
  const count = totals?.count ?? 0;
  const successes = totals?.successes ?? 0;
  const mean = successes > 0 && totals ? totals.success_ms_sum / successes : null;
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
    failures: count - successes,
    success_rate: count > 0 ? round(successes / count, 4) : null,
    mean_ms: mean === null ? null : round(mean),
    p50_ms: percentiles ? usage.successPercentile(model, successes, 50) : null,
    p95_ms: percentiles ? usage.successPercentile(model, successes, 95) : null,
    mean_load_ms: totals && totals.load_count > 0 ? round(totals.load_ms_sum / totals.load_count) : null,
    tokens_per_second: totals && totals.eval_ms_sum > 0 ? round((totals.eval_tokens_sum / totals.eval_ms_sum) * 1000, 2) : null,
    first_used: totals ? new Date(totals.first_ts).toISOString() : null,
    last_used: totals ? new Date(totals.last_ts).toISOString() : null,
    imported,
    usage_count: count,
    avg_inference_time: mean === null ? null : round(mean / 1000, 3),
  };
}
