/**
 * `keep_alive` as Ollama's api.Duration reads it (api/types.go, UnmarshalJSON): a number is seconds,
 * a string goes through Go's time.ParseDuration ("5m", "1h30m", "0"; a bare "-1" or "30" is refused
 * for its missing unit), and anything negative means "stay loaded forever". A refusal is the bind
 * error, which Ollama's handlers answer with 400 and the error's own text.
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

/** ms: how long the runner stays after an answer; 0 is an unload request, negative an expiry already past. */
export type KeepAlive = { ok: true; ms: number } | { ok: false; error: string };

/** reflect.TypeOf's names for what encoding/json decodes into an `any`. */
function goTypeName(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

export function parseKeepAlive(value: unknown): KeepAlive {
  if (value === undefined || value === null) return { ok: true, ms: DEFAULT_KEEP_ALIVE_MS };
  if (typeof value === 'number') {
    if (value < 0) return { ok: true, ms: Infinity };
    // time.Duration(t * 1e9) keeps whole nanoseconds; beyond int64 it is math.MinInt64 on x86-64, a
    // negative session that the scheduler expires as soon as the answer is out (server/sched.go).
    const ns = value * 1e9;
    return { ok: true, ms: ns >= 2 ** 63 ? -1 : Math.trunc(ns) / 1e6 };
  }
  if (typeof value !== 'string') return { ok: false, error: `Unsupported type: '${goTypeName(value)}'` };
  const parsed = parseGoDuration(value);
  if (!parsed.ok) return parsed;
  return { ok: true, ms: parsed.ms < 0 ? Infinity : parsed.ms };
}

/** Go's time.ParseDuration with its three error messages. */
function parseGoDuration(text: string): KeepAlive {
  const quote = goQuote;
  const invalid = { ok: false as const, error: `time: invalid duration ${quote(text)}` };
  let rest = text;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return invalid;
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[3] ?? '';
    if (whole === '' && fraction === '') return invalid;
    rest = rest.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${quote(text)}` };
    const scale = UNIT_MS[unit];
    if (scale === undefined) return { ok: false, error: `time: unknown unit ${quote(unit)} in duration ${quote(text)}` };
    rest = rest.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction}`) * scale;
    // Go's Duration is int64 nanoseconds: about 292 years.
    if (total * 1e6 > 2 ** 63 - 1) return invalid;
  }
  return { ok: true, ms: sign * total };
}

/** The time package's quote(): printable ASCII as it is (a backslash before " and \), any other byte as \xNN. */
function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(char, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += char === '"' || char === '\\' ? `\\${char}` : char;
    }
  }
  return `${out}"`;
}
