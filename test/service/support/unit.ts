/** Reads a systemd unit file the way systemd does for the parts we write: sections, keys, quoted words, escapes. */
export type Unit = Record<string, [string, string][]>;

export function parseUnit(src: string): Unit {
  const unit: Unit = {};
  let section: [string, string][] | undefined;
  src.split('\n').forEach((line, n) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) return;
    const head = /^\[([^\]]+)\]$/.exec(l);
    if (head) {
      section = unit[head[1] as string] ??= [];
      return;
    }
    const eq = l.indexOf('=');
    if (!section || eq <= 0) throw new Error(`line ${n + 1} is neither a section nor key=value: ${line}`);
    section.push([l.slice(0, eq).trim(), l.slice(eq + 1).trim()]);
  });
  return unit;
}

export const values = (u: Unit, section: string, key: string) => (u[section] ?? []).filter(([k]) => k === key).map(([, v]) => v);

/** Splits a value into words: double quotes group, backslash escapes inside them, `%%` is `%` and `$$` is `$`. */
export function words(value: string, { dollars = true } = {}): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === ' ') i++;
    if (i >= value.length) break;
    let w = '';
    if (value[i] === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\') i++;
        w += value[i++];
      }
      if (value[i] !== '"') throw new Error(`unterminated quote in ${value}`);
      i++;
    } else while (i < value.length && value[i] !== ' ') w += value[i++];
    w = w.replace(/%%/g, '%');
    out.push(dollars ? w.replace(/\$\$/g, '$') : w);
  }
  return out;
}

/** Windows' CommandLineToArgvW for arguments without embedded quotes: double quotes group words. */
export function windowsArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}
