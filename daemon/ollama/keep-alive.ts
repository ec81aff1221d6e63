/**
 * `keep_alive` as Ollama reads it. In a request (api/types.go, Duration.UnmarshalJSON) a JSON number
 * is seconds and a string goes through Go's time.ParseDuration, which wants a unit on every number:
 * the string "-1" or "30" is refused with 400. OLLAMA_KEEP_ALIVE (envconfig.KeepAlive) also takes a
 * bare whole number of seconds. Negative means "keep loaded as long as Ollama runs" in every form.
 */
export type KeepAlive = number | string;

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/** Go's Duration is an int64 of nanoseconds; ParseDuration refuses anything beyond it. */
const MAX_NS = 2 ** 63 - 1;
/**
 * The most seconds a number may say. Ollama converts a number with `time.Duration(t * 1e9)`: beyond
 * int64 that conversion gives math.MinInt64 on x86-64, a negative duration that unloads the model at
 * once, the opposite of what a large number asks for.
 */
export const MAX_KEEP_ALIVE_SECONDS = Math.floor(MAX_NS / 1e9);

/** Go's time.ParseDuration: the duration in nanoseconds, or Go's own error message. */
function parseGoDuration(text: string): { ns: number } | { error: string } {
  const invalid = { error: `time: invalid duration ${JSON.stringify(text)}` };
  let s = text;
  const negative = s.startsWith('-');
  if (negative || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return { ns: 0 };
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && !fraction) return invalid;
    s = s.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') return { error: `time: missing unit in duration ${JSON.stringify(text)}` };
    const scale = UNIT_NS[unit];
    if (scale === undefined) return { error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` };
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction ?? ''}`) * scale;
    if (total > MAX_NS) return invalid;
  }
  return { ns: negative ? -total : total };
}

/** Go's time.ParseDuration, reduced to "valid or Go's own error message". */
export function goDurationError(text: string): string | undefined {
  const r = parseGoDuration(text);
  return 'error' in r ? r.error : undefined;
}

/**
 * Whether Ollama unloads the model as soon as it has answered: a zero duration, in any form. A load
 * with such a keep_alive is Ollama's way to unload (server/routes.go: an empty prompt and a zero
 * keep_alive answer done_reason "unload").
 */
export function unloadsAtOnce(keepAlive: KeepAlive): boolean {
  if (typeof keepAlive === 'number') return keepAlive >= 0 && keepAlive * 1e9 < 1;
  const r = parseGoDuration(keepAlive);
  return 'ns' in r && Math.abs(r.ns) < 1;
}

/**
 * JUNMAI_EVAL_KEEP_ALIVE as OLLAMA_KEEP_ALIVE is read: a Go duration ("30m", "1h30m", "-1m") is
 * sent as that string, a whole number of seconds ("-1", "0", "3600") as a JSON number, which is
 * the only form in which Ollama takes a number. Anything else is refused with Go's reason.
 */
export function keepAliveFromSetting(text: string): { ok: true; value: KeepAlive } | { ok: false; error: string } {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) {
    const seconds = Number(t);
    return seconds > MAX_KEEP_ALIVE_SECONDS ? { ok: false, error: `at most ${MAX_KEEP_ALIVE_SECONDS} seconds` } : { ok: true, value: seconds };
  }
  const error = goDurationError(t);
  return error ? { ok: false, error } : { ok: true, value: t };
}
