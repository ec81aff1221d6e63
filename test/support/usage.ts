import type { UsageInsert } from '../../daemon/store/usage-repo.js';

/** A usage row as the store takes it: a success of model "m" with nothing else known, but what `o` says. */
export const usageRow = (o: Partial<UsageInsert> & { ts: number; duration_ms: number }): UsageInsert => ({
  model: 'm', photo_id: null, total_ms: null, load_ms: null, prompt_eval_ms: null, eval_ms: null, prompt_tokens: null, eval_tokens: null,
  success: true, error_code: null, ...o,
});
