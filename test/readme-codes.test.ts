import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_HELP } from '../daemon/cli/errors.js';
import { ERROR_STATUS } from '../daemon/errors.js';

// README's tables and the code agree both ways, as fastify tests its docs' error table against its
// own codes: a code added in one place only fails here.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Table {
  header: string[];
  rows: string[][];
}

/** Every Markdown table in the text: header cells in lower case, then the cells of each row. */
function tables(markdown: string): Table[] {
  const found: Table[] = [];
  const lines = markdown.split(/\r?\n/);
  // Cells split at pipes that are not escaped (`image_path \| image_base64`).
  const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i] ?? '';
    if (!head.trim().startsWith('|') || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) continue;
    const table: Table = { header: cells(head).map((c) => c.toLowerCase()), rows: [] };
    let j = i + 2;
    for (; j < lines.length && (lines[j] ?? '').trim().startsWith('|'); j++) table.rows.push(cells(lines[j] ?? ''));
    found.push(table);
    i = j - 1;
  }
  return found;
}

/** The one table whose header names these columns. */
function tableWith(...columns: string[]): { table: Table; at: number[] } {
  const matching = tables(readme).filter((t) => columns.every((c) => t.header.includes(c)));
  expect(matching, `README tables with columns ${columns.join(', ')}`).toHaveLength(1);
  const table = matching[0] as Table;
  return { table, at: columns.map((c) => table.header.indexOf(c)) };
}

describe("README's error-code table", () => {
  /** code → status as README states it; a code listed twice is a failure of its own. */
  function readmeCodes(): Map<string, number> {
    const { table, at } = tableWith('status', 'code');
    const [statusAt, codeAt] = at as [number, number];
    const codes = new Map<string, number>();
    for (const row of table.rows) {
      const status = Number(row[statusAt]);
      const names = [...(row[codeAt] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string);
      expect(Number.isInteger(status) && names.length > 0, `row ${row.join(' | ')}`).toBe(true);
      for (const name of names) {
        expect(codes.has(name), `${name} is listed twice`).toBe(false);
        codes.set(name, status);
      }
    }
    return codes;
  }

  it('parses the table of this README: every row one status and at least one code', () => {
    expect(readmeCodes().get('FORBIDDEN_HOST')).toBe(403);
  });

  it('lists every code the daemon answers with, with its status', () => {
    const documented = readmeCodes();
    const missing = Object.entries(ERROR_STATUS).filter(([code, status]) => documented.get(code) !== status);
    expect(missing.map(([code, status]) => `${status} ${code} (README: ${documented.get(code) ?? 'absent'})`)).toEqual([]);
  });

  it('lists no code the daemon does not have', () => {
    const unknown = [...readmeCodes().keys()].filter((code) => !(code in ERROR_STATUS));
    expect(unknown).toEqual([]);
  });
});

describe("README's exit-code table", () => {
  function readmeExits(): Map<number, string> {
    const { table, at } = tableWith('exit code', 'when');
    const [codeAt, whenAt] = at as [number, number];
    return new Map(table.rows.map((row) => [Number(row[codeAt]), row[whenAt] ?? '']));
  }

  it('lists every exit code of the CLI, each with a meaning, and no other', () => {
    const documented = readmeExits();
    expect([...documented.keys()].sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    for (const [code, when] of documented) expect(when, `exit ${code}`).not.toBe('');
  });

  it('matches the table `junmai help` prints, code for code', () => {
    expect(EXIT_CODE_HELP.map(([code]) => code).sort((a, b) => a - b)).toEqual([...readmeExits().keys()].sort((a, b) => a - b));
  });
});
