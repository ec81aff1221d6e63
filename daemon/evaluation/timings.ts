import type { InferenceTimings } from '../ollama/gateway.js';

const KEYS = ['totalNs', 'loadNs', 'promptEvalNs', 'evalNs', 'promptTokens', 'evalTokens'] as const;

/** Ollama's figures summed over the attempts of one evaluation; a figure Ollama never sent stays null. */
export class TimingSum {
  private readonly sum: Record<(typeof KEYS)[number], number | undefined> = {
    totalNs: undefined, loadNs: undefined, promptEvalNs: undefined, evalNs: undefined, promptTokens: undefined, evalTokens: undefined,
  };

  add(t: InferenceTimings): void {
    for (const k of KEYS) {
      const v = t[k];
      if (v !== undefined) this.sum[k] = (this.sum[k] ?? 0) + v;
    }
  }

  /** Milliseconds (from Ollama's nanoseconds) and token counts, as the API and the usage table hold them. */
  toMs(): { total_ms: number | null; load_ms: number | null; prompt_eval_ms: number | null; eval_ms: number | null; prompt_tokens: number | null; eval_tokens: number | null } {
    const ms = (ns: number | undefined) => (ns === undefined ? null : roundMs(ns / 1e6));
    return {
      total_ms: ms(this.sum.totalNs),
      load_ms: ms(this.sum.loadNs),
      prompt_eval_ms: ms(this.sum.promptEvalNs),
      eval_ms: ms(this.sum.evalNs),
      prompt_tokens: this.sum.promptTokens ?? null,
      eval_tokens: this.sum.evalTokens ?? null,
    };
  }
}

export const roundMs = (ms: number) => Math.round(ms * 10) / 10;
