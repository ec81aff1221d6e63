import { startTestDaemon } from '/work/wt/perf-store/test/support/daemon.ts';
import { usageRecord } from '/work/wt/perf-store/scripts/bench/usage-rows.ts';
import autocannon from 'autocannon';
const t = await startTestDaemon({ installed: ['gemma3:4b'] });
const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => usageRecord(i)));
let t0 = performance.now();
for (let i = 0; i < 20; i++) { const r = await t.req('POST', '/api/model/usage', { raw: body }); if (r.status !== 200) console.log(r.status, r.text); }
console.log('sequential ms/req', (performance.now() - t0) / 20);
t0 = performance.now();
const r = await autocannon({ url: `${t.url}/api/model/usage`, connections: 10, amount: 100, method: 'POST', headers: { 'content-type': 'application/json' }, body });
console.log('autocannon static ms/req', (performance.now() - t0) / 100, r['2xx'], r.non2xx, r.errors, r.latency.p50);
await t.close();
