import { startTestDaemon } from '/work/wt/perf-store/test/support/daemon.ts';
import { usageRecord } from '/work/wt/perf-store/scripts/bench/usage-rows.ts';
const t = await startTestDaemon({ installed: ['gemma3:4b'] });
const host = new URL(t.url).host;
const m = t.daemon.manager as any;
const orig = m.recordUsage.bind(m);
let inRec = 0;
m.recordUsage = (r: any) => { const t0 = performance.now(); const x = orig(r); inRec += performance.now() - t0; return x; };
const s = t.daemon.store.usage as any; const origRec = s.record.bind(s); let inRepo = 0;
s.record = (a: any, b: any) => { const t0 = performance.now(); const x = origRec(a, b); inRepo += performance.now() - t0; return x; };
for (const n of [1, 100, 1, 100]) {
  let k = n * 1000000;
  inRec = 0; inRepo = 0;
  const body = () => JSON.stringify(Array.from({ length: n }, () => usageRecord(k++)));
  let t0 = performance.now();
  for (let i = 0; i < 20; i++) { const r = await t.daemon.app.inject({ method: 'POST', url: '/api/model/usage', payload: body(), headers: { 'content-type': 'application/json', host } }); if (r.statusCode !== 200) console.log(r.statusCode, r.body); }
  const a = (performance.now() - t0) / 20;
  console.log(n, 'inject ms/req', a.toFixed(2), 'recordUsage', (inRec / 20).toFixed(2), 'repo', (inRepo / 20).toFixed(2));
}
await t.close();
