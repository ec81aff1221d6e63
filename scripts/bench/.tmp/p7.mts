import { startTestDaemon } from '/work/wt/perf-store/test/support/daemon.ts';
import { usageRecord } from '/work/wt/perf-store/scripts/bench/usage-rows.ts';
const t = await startTestDaemon({ installed: ['gemma3:4b'] });
const host = new URL(t.url).host;
for (const n of [1, 100]) {
  let k = 0;
  const body = () => JSON.stringify(Array.from({ length: n }, () => usageRecord(k++)));
  let t0 = performance.now();
  for (let i = 0; i < 20; i++) { const r = await t.daemon.app.inject({ method: 'POST', url: '/api/model/usage', payload: body(), headers: { 'content-type': 'application/json', host } }); if (r.statusCode !== 200) console.log(r.statusCode, r.body); }
  const a = (performance.now() - t0) / 20;
  t0 = performance.now();
  for (let i = 0; i < 20; i++) { const r = await t.req('POST', '/api/model/usage', { raw: body() }); }
  console.log(n, 'inject ms/req', a.toFixed(2), 'socket', ((performance.now() - t0) / 20).toFixed(2));
}
await t.close();
