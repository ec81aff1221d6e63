/**
 * `npm run bench`: every figure beside a baseline measured in the same run on the same machine,
 * so the ratios mean something wherever it runs. Sections can be picked: `npm run bench -- list usage`.
 */
import { spawnSync } from 'node:child_process';
import { startTestDaemon } from '../../test/support/daemon.js';
import { benchList } from './api.js';
import { benchCompare } from './compare.js';
import { benchPull } from './downloads.js';
import { benchEvaluate } from './evaluate.js';
import { benchFanout } from './fanout.js';
import { benchScaling } from './scaling.js';
import { benchStatistics } from './statistics.js';
import { benchUsage } from './usage.js';
import { benchVocabulary } from './vocabulary.js';

const sections = { list: benchList, usage: benchUsage, statistics: benchStatistics, scaling: benchScaling, pull: benchPull, fanout: benchFanout, evaluate: benchEvaluate, vocabulary: benchVocabulary, compare: benchCompare } as const;
const wanted = process.argv.slice(2).filter((a): a is keyof typeof sections => a in sections);
const run = wanted.length > 0 ? wanted : (Object.keys(sections) as (keyof typeof sections)[]);

// The sections that run the daemon in a process of its own run the build, as `npm start` does.
if (spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const t = await startTestDaemon({ installed: ['gemma3:4b'] });
await t.req('POST', '/api/model/sync', { body: {} });
console.log(`Junmai benchmarks — node ${process.version}, ${new Date().toISOString()}`);
try {
  for (const name of run) {
    console.log(`\n[${name}]`);
    const rssBefore = process.memoryUsage().rss;
    for (const line of await sections[name](t)) console.log(line);
    console.log(`  (process RSS ${Math.round(process.memoryUsage().rss / 1048576)} MiB, +${Math.round((process.memoryUsage().rss - rssBefore) / 1048576)} MiB in this section)`);
  }
} finally {
  await t.close();
}
