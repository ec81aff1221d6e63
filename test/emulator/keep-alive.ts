/**
 * `keep_alive` as Ollama's api.Duration reads it: a number is seconds, a string is a Go duration
 * ("5m", "1h30m", "0"), and anything negative means "stay loaded forever".
 */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export type KeepAlive = { ok: true; ms: number } | { ok: false; error: string };

export function parseKeepAlive(value: unknown): KeepAlive {
  if (value === undefined || value === null) return { ok: true, ms: DEFAULT_KEEP_ALIVE_MS };
  if (typeof value === 'number') return { ok: true, ms: value < 0 ? Infinity : value * 1000 };
  if (typeof value !== 'string') return { ok: false, error: `Unsupported type: '${typeof value}'` };
  const ms = parseGoDuration(value);
  if (ms === undefined) return { ok: false, error: `time: invalid duration "${value}"` };
  return { ok: true, ms: ms < 0 ? Infinity : ms };
}

function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of text.slice(match[1]?.length ?? 0).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
  }
  return sign * total;
}
