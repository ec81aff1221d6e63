import { startTestDaemon } from '/work/wt/perf-store/test/support/daemon.ts';
import { usageRecord } from '/work/wt/perf-store/scripts/bench/usage-rows.ts';
const t = await startTestDaemon({ installed: ['gemma3:4b'] });
for (const n of [1, 10, 30, 60, 100]) {
  const body = JSON.stringify(Array.from({ length: n }, (_, i) => usageRecord(i)));
  let t0 = performance.now();
  for (let i = 0; i < 10; i++) { const r = await t.req('POST', '/api/model/usage', { raw: body }); if (r.status !== 200) console.log(r.status, r.text); }
  const a = (performance.now() - t0) / 10;
  t0 = performance.now();
  for (let i = 0; i < 10; i++) t.daemon.store.usage.record(Array.from({ length: n }, (_, k) => ({ ts: 1, model: 'm', photo_id: 'p'+k, duration_ms: 5, total_ms: null, load_ms: null, prompt_eval_ms: null, eval_ms: null, prompt_tokens: null, eval_tokens: null, success: true, error_code: null })), 0);
  console.log(n, body.length, 'ms/req', a.toFixed(2), 'repo only', ((performance.now() - t0) / 10).toFixed(2));
}
const s = await t.req('GET', '/api/model/statistics');
let t0 = performance.now(); for (let i = 0; i < 10; i++) await t.req('GET', '/api/model/statistics'); console.log('stats ms', (performance.now() - t0) / 10);
await t.close();
