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

/** Go's time.ParseDuration, reduced to "valid or Go's own error message". */
export function goDurationError(text: string): string | undefined {
  const invalid = `time: invalid duration ${JSON.stringify(text)}`;
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return undefined;
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && !fraction) return invalid;
    s = s.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (unit === '') return `time: missing unit in duration ${JSON.stringify(text)}`;
    const scale = UNIT_NS[unit];
    if (scale === undefined) return `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`;
    s = s.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction ?? ''}`) * scale;
    if (total > MAX_NS) return invalid;
  }
  return undefined;
}

/**
 * JUNMAI_EVAL_KEEP_ALIVE as OLLAMA_KEEP_ALIVE is read: a Go duration ("30m", "1h30m", "-1m") is
 * sent as that string, a whole number of seconds ("-1", "0", "3600") as a JSON number, which is
 * the only form in which Ollama takes a number. Anything else is refused with Go's reason.
 */
export function keepAliveFromSetting(text: string): { ok: true; value: KeepAlive } | { ok: false; error: string } {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return { ok: true, value: Number(t) };
  const error = goDurationError(t);
  return error ? { ok: false, error } : { ok: true, value: t };
}
