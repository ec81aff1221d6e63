/**
 * Everything the CLI prints goes through here, so --json (one document on stdout, nothing else there)
 * and --no-color are honoured in one place instead of in every command.
 */
/** Download sizes and disk space count as Ollama shows them: GB of 10⁹ bytes. */
const GB = 1e9;
const MB = 1e6;
/** Memory (RAM, VRAM, estimates) counts as GPU makers do: GB of 1024³ bytes. */
const GIB = 1024 ** 3;

export interface OutputOptions {
  json: boolean;
  color: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
}

export type Align = 'left' | 'right';
export interface Column {
  header: string;
  align?: Align;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string) => [...s.replace(ANSI, '')].length;

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;

  constructor(o: OutputOptions) {
    this.json = o.json;
    this.color = o.color;
    this.stdout = o.stdout ?? process.stdout;
    this.stderr = o.stderr ?? process.stderr;
  }

  get isTTY(): boolean {
    return this.stdout.isTTY === true;
  }

  /** A line for people; silent under --json so stdout stays one parseable document. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(text + '\n');
  }

  /** Diagnostics and hints: stderr, so they never mix into piped output. */
  note(text: string): void {
    this.stderr.write(text + '\n');
  }

  /** The API's body as-is, for scripts. */
  document(body: unknown): void {
    this.stdout.write(JSON.stringify(body, null, 2) + '\n');
  }

  table(columns: Column[], rows: string[][]): void {
    const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))));
    const render = (cells: string[]) =>
      cells
        .map((cell, i) => {
          const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
          return columns[i]?.align === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd();
    this.line(this.bold(render(columns.map((c) => c.header))));
    for (const row of rows) this.line(render(row));
  }

  /** `key: value` lines with the keys aligned. */
  fields(pairs: Array<[string, string]>): void {
    const width = Math.max(0, ...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${this.dim((k + ':').padEnd(width + 1))} ${v}`);
  }

  private paint(code: number, reset: number, s: string): string {
    return this.color ? `\x1b[${code}m${s}\x1b[${reset}m` : s;
  }
  bold = (s: string) => this.paint(1, 22, s);
  dim = (s: string) => this.paint(2, 22, s);
  red = (s: string) => this.paint(31, 39, s);
  green = (s: string) => this.paint(32, 39, s);
  yellow = (s: string) => this.paint(33, 39, s);
  cyan = (s: string) => this.paint(36, 39, s);

  check(on: boolean): string {
    return on ? this.green('✓') : '';
  }
}

/** Color only for a person at a terminal: never when piped, nor with --no-color or NO_COLOR (no-color.org). */
export function wantsColor(noColorFlag: boolean, stream: { isTTY?: boolean } = process.stdout, env = process.env): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  return stream.isTTY === true;
}

export const DASH = '-';

/** The API's `*_gb` figures (2 decimals, in the unit the API documents for each) as a table cell. */
export function gbCell(gb: number | null | undefined, digits = 1): string {
  return gb === null || gb === undefined ? DASH : `${gb.toFixed(digits)} GB`;
}

/** A model's size: GB as the API rounds it, but MB for the tiny ones the rounding would show as 0.0. */
export function sizeCell(sizeBytes: number | null, sizeGb: number | null, digits = 1): string {
  if (sizeBytes !== null && sizeBytes < 0.05 * GB) return bytes(sizeBytes);
  return gbCell(sizeGb, digits);
}

/**
 * Download sizes in GB of 10⁹ bytes, as `size_gb` and Ollama count them. Small ones in MB: a 2 MB layer as
 * "0.00 GB" tells nobody anything. `unitOf` picks the unit from the larger figure so that "done/total" share one.
 */
export function unitOf(bytes: number): 'GB' | 'MB' {
  return bytes >= 0.1 * GB ? 'GB' : 'MB';
}
export function inUnit(bytes: number, unit: 'GB' | 'MB'): string {
  return (bytes / (unit === 'GB' ? GB : MB)).toFixed(unit === 'GB' ? 2 : 1);
}
export function bytes(n: number): string {
  const unit = unitOf(n);
  return `${inUnit(n, unit)} ${unit}`;
}
export function progressBytes(done: number, total: number | null): string {
  const unit = unitOf(Math.max(done, total ?? 0));
  return `${inUnit(done, unit)}/${total === null ? '?' : inUnit(total, unit)} ${unit}`;
}

/** Memory in GB of 1024³ bytes, the unit of the API's memory figures and of `nvidia-smi`. */
export function memory(n: number): string {
  return `${(n / GIB).toFixed(2)} GB`;
}

export function speed(bytesPerSecond: number): string {
  return `${(bytesPerSecond / MB).toFixed(1)} MB/s`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? DASH : `${Math.round(fraction * 100)}%`;
}

/** ISO timestamps as local "YYYY-MM-DD HH:MM": seconds and zones are noise in a table. */
export function when(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
