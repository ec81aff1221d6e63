// `npm run test:mutation [module …]`: StrykerJS over each core module in turn (scripts/mutation/modules.mjs),
// each against its own tests, then one line per module with its score. Fails when any module
// scores below the break threshold in stryker.config.mjs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from './modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const wanted = process.argv.slice(2);
const unknown = wanted.filter((m) => !MODULES.some((x) => x.mutate === m));
if (unknown.length) {
  console.error(`Not in scripts/mutation/modules.mjs: ${unknown.join(', ')}`);
  process.exit(2);
}
const modules = wanted.length ? MODULES.filter((m) => wanted.includes(m.mutate)) : MODULES;
const stryker = join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');

/** Stryker's score: detected over valid mutants (ignored ones and those that do not compile excluded). */
function score(report) {
  const counts = { detected: 0, undetected: 0 };
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') counts.detected++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') counts.undetected++;
    }
  }
  const valid = counts.detected + counts.undetected;
  return { ...counts, percent: valid ? (100 * counts.detected) / valid : 100 };
}

const lines = [];
let failed = 0;
const startedAll = Date.now();
for (const m of modules) {
  const name = basename(dirname(m.mutate)) + '-' + basename(m.mutate, '.ts');
  const report = join('reports/mutation', `${name}.json`);
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [stryker, 'run', 'stryker.config.mjs', '--mutate', m.mutate],
    { cwd: root, stdio: 'inherit', env: { ...process.env, JUNMAI_MUTATION_TESTS: m.tests.join(','), JUNMAI_MUTATION_REPORT: report } },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  let summary;
  try {
    const s = score(JSON.parse(readFileSync(join(root, report), 'utf8')));
    summary = `${s.percent.toFixed(2)}% (${s.detected} killed, ${s.undetected} survived)`;
  } catch {
    summary = 'no report';
  }
  if (run.status !== 0) failed++;
  lines.push(`${run.status === 0 ? 'ok  ' : 'FAIL'} ${m.mutate.padEnd(34)} ${summary}, ${seconds} s`);
}
console.log(`\nMutation scores (break below 85%), ${Math.round((Date.now() - startedAll) / 1000)} s in all:`);
for (const l of lines) console.log(l);
process.exit(failed ? 1 : 0);
