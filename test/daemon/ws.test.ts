import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ServerEvent } from '../../daemon/schemas/events.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A /ws client that keeps every parsed event and can wait for one. */
function connect(url: string, query = '', headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${query}`, { headers });
  const events: ServerEvent[] = [];
  const waiters: { pred: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }[] = [];
  ws.on('message', (raw) => {
    const e = ServerEvent.parse(JSON.parse(String(raw)));
    events.push(e);
    for (const w of waiters.filter((w) => w.pred(e))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const waitFor = (pred: (e: ServerEvent) => boolean, timeoutMs = 8000) =>
    new Promise<ServerEvent>((resolve, reject) => {
      const found = events.find(pred);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`no matching event; got ${events.map((e) => e.type).join(', ')}`)), timeoutMs);
      waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  return { ws, events, opened, waitFor, close: () => ws.close() };
}

describe('/ws', () => {
  it('sends a snapshot on connect, then numbered events that two clients see identically and in order', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], emulator: { pullBytesPerSecond: 4 * 1024 * 1024 } });
    await t.req('POST', '/api/model/sync', { body: {} });
    const a = connect(t.url);
    const b = connect(t.url);
    await Promise.all([a.opened, b.opened]);
    const snap = await a.waitFor((e) => e.type === 'snapshot');
    expect(snap.type === 'snapshot' && snap.data.ollama.url).toBe(t.emu.url);

    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    const id = (await t.req('POST', '/api/model/download', { body: { model: 'tiny-vision:1b' } })).body.job.id;
    await a.waitFor((e) => e.type === 'download.completed' && e.data.job.id === id);
    await b.waitFor((e) => e.type === 'download.completed' && e.data.job.id === id);
    await t.req('POST', '/api/model/usage', { body: [{ model: 'gemma3:4b', duration_ms: 10, success: true }, { model: 'gemma3:4b', duration_ms: 12, success: true }] });
    await t.req('POST', '/api/model/usage', { body: { model: 'gemma3:4b', duration_ms: 11, success: true } });
    const usage = await a.waitFor((e) => e.type === 'usage.recorded');
    await b.waitFor((e) => e.type === 'usage.recorded');

    const seqA = a.events.filter((e) => e.type !== 'snapshot').map((e) => `${e.seq}:${e.type}`);
    const seqB = b.events.filter((e) => e.type !== 'snapshot').map((e) => `${e.seq}:${e.type}`);
    expect(seqA).toEqual(seqB);
    const nums = a.events.filter((e) => e.type !== 'snapshot').map((e) => e.seq);
    expect(nums).toEqual([...nums].sort((x, y) => x - y));
    expect(new Set(nums).size).toBe(nums.length);
    expect(a.events.map((e) => e.type)).toEqual(expect.arrayContaining(['model.switched', 'download.progress', 'download.completed', 'model.installed']));
    // Three records in two requests arrive as one coalesced event.
    expect(usage.type === 'usage.recorded' && usage.data.count).toBe(3);
    a.close();
    b.close();
  });

  it('replays what a reconnecting client missed with ?since=, or sends a fresh snapshot when that is gone', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    const first = connect(t.url);
    await first.opened;
    const snap = await first.waitFor((e) => e.type === 'snapshot');
    first.close();
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    await t.req('POST', '/api/model/switch', { body: { model: 'llama3.1:8b' } });

    const again = connect(t.url, `?since=${snap.seq}`);
    await again.opened;
    const second = await again.waitFor((e) => e.type === 'model.switched' && e.data.model === 'llama3.1:8b');
    expect(again.events.some((e) => e.type === 'snapshot')).toBe(false);
    expect(again.events.filter((e) => e.type === 'model.switched').map((e) => e.type === 'model.switched' && e.data.model)).toEqual(['gemma3:4b', 'llama3.1:8b']);
    expect(second.seq).toBeGreaterThan(snap.seq);
    again.close();

    for (let i = 0; i < 1100; i++) t.daemon.events.publish('model.installed', { model: `filler-${i}:1b` });
    const stale = connect(t.url, `?since=${snap.seq}`);
    await stale.opened;
    const fresh = await stale.waitFor((e) => e.type === 'snapshot');
    expect(fresh.type === 'snapshot' && fresh.data.current_model).toBe('llama3.1:8b');
    stale.close();
  });

  it('answers a client of an earlier run with a fresh snapshot, by run id or by a since beyond this run', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'] });
    await t.req('POST', '/api/model/sync', { body: {} });
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    const before = connect(t.url);
    await before.opened;
    const old = await before.waitFor((e) => e.type === 'snapshot');
    before.close();
    const oldRun = old.type === 'snapshot' ? old.data.run_id : '';
    for (let i = 0; i < 50; i++) t.daemon.events.publish('model.installed', { model: `filler-${i}:1b` });
    const lastOfOldRun = t.daemon.events.lastSeq;

    await t.restart();
    // The new run has sent fewer events than the client saw: a since beyond this run is a since lost.
    const beyond = connect(t.url, `?since=${lastOfOldRun}`);
    await beyond.opened;
    const snap = await beyond.waitFor((e) => e.type === 'snapshot');
    expect(snap.type === 'snapshot' && snap.data.current_model).toBe('gemma3:4b');
    expect(snap.type === 'snapshot' && snap.data.run_id).not.toBe(oldRun);
    beyond.close();

    // A since the new run has also reached still came from the old numbering: the run id tells.
    await t.req('POST', '/api/model/switch', { body: { model: 'gemma3:4b' } });
    const byRun = connect(t.url, `?since=0&run=${oldRun}`);
    await byRun.opened;
    expect((await byRun.waitFor(() => true)).type).toBe('snapshot');
    byRun.close();
  });

  it('is behind the same Host and Origin checks as REST, and a plain GET gets the error shape', async () => {
    t = await startTestDaemon();
    const plain = await t.req('GET', '/ws');
    expect(plain.status).toBe(426);
    expect(plain.body).toMatchObject({ success: false, code: 'UPGRADE_REQUIRED' });
    await expect(connect(t.url, '', { host: 'evil.example' }).opened).rejects.toThrow(/403/);
    await expect(connect(t.url, '', { origin: 'https://evil.example' }).opened).rejects.toThrow(/403/);
    const ok = connect(t.url, '', { origin: 'http://localhost:3000' });
    await ok.opened;
    ok.close();
  });

  it('cuts off a client that does not read instead of buffering for it, and others are not delayed', async () => {
    t = await startTestDaemon();
    const fast = connect(t.url);
    await fast.opened;
    const slow = connect(t.url);
    await slow.opened;
    // Stop reading on the slow client: its socket's receive buffer fills and the server's send buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<number>((resolve) => slow.ws.once('close', (code) => resolve(code)));
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) {
      t.daemon.events.publish('model.installed', { model: `m${i}:1b`, padding: big });
      await new Promise((r) => setImmediate(r));
    }
    await fast.waitFor((e) => e.type === 'model.installed' && e.data.model === 'm199:1b');
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1013);
    fast.close();
  });
});

const modelOf = (e: ServerEvent) => (e.data as { model?: string }).model;

describe('/ws fan-out', () => {
  it('turns each event into text once however many clients it goes to, and each client gets it once, in order', async () => {
    const serialized: { seq: number; type: string }[] = [];
    t = await startTestDaemon({ serializeEvent: (e) => (serialized.push({ seq: e.seq, type: e.type }), JSON.stringify(e)) });
    const clients = Array.from({ length: 5 }, () => connect((t as TestDaemon).url));
    await Promise.all(clients.map((c) => c.waitFor((e) => e.type === 'snapshot')));
    const published = [1, 2, 3].map((i) => (t as TestDaemon).daemon.events.publish('model.installed', { model: `m${i}:1b` }));
    for (const c of clients) await c.waitFor((e) => e.seq === published[2]?.seq);
    expect(serialized.filter((s) => s.type === 'model.installed')).toEqual(published.map((e) => ({ seq: e.seq, type: 'model.installed' })));
    for (const c of clients) {
      expect(c.events.filter((e) => e.type === 'model.installed').map((e) => [e.seq, modelOf(e)])).toEqual(published.map((e) => [e.seq, e.data.model]));
      c.close();
    }
  });

  it('sends a client that connects while events are on their way each event once, after its snapshot', async () => {
    const d = await startTestDaemon();
    t = d;
    const early = connect(d.url);
    await early.waitFor((e) => e.type === 'snapshot');
    // An event published in the very turn the next client's snapshot is taken (here, while it is
    // taken) is still waiting to go out to the clients already there, and is in the snapshot's past.
    const currentModel = d.daemon.manager.currentModel.bind(d.daemon.manager);
    let during: number | undefined;
    d.daemon.manager.currentModel = () => {
      during ??= d.daemon.events.publish('model.installed', { model: 'during:1b' }).seq;
      return currentModel();
    };
    const late = connect(d.url);
    const snapshot = await late.waitFor((e) => e.type === 'snapshot');
    d.daemon.manager.currentModel = currentModel;
    const after = d.daemon.events.publish('model.installed', { model: 'after:1b' });
    await late.waitFor((e) => e.seq === after.seq);
    await early.waitFor((e) => e.seq === after.seq);
    expect(snapshot.seq).toBe(during);
    const seen = (c: typeof early) => c.events.filter((e) => e.type === 'snapshot' || e.type === 'model.installed').map((e) => modelOf(e) ?? e.type);
    expect(seen(late)).toEqual(['snapshot', 'after:1b']);
    expect(seen(early)).toEqual(['snapshot', 'during:1b', 'after:1b']);
    early.close();
    late.close();
  });

  it('sends a client that catches up with ?since= while events are on their way each event once', async () => {
    const d = await startTestDaemon();
    t = d;
    const early = connect(d.url);
    await early.waitFor((e) => e.type === 'snapshot');
    const last = d.daemon.events.publish('model.installed', { model: 'seen:1b' }).seq;
    // Published in the turn the replay is read: it is in the replay, and still on its way to the early client.
    const since = d.daemon.events.since.bind(d.daemon.events);
    d.daemon.events.since = (n) => {
      d.daemon.events.publish('model.installed', { model: 'during:1b' });
      return since(n);
    };
    const back = connect(d.url, `?since=${last}&run=${d.daemon.events.runId}`);
    await back.waitFor((e) => modelOf(e) === 'during:1b');
    d.daemon.events.since = since;
    const after = d.daemon.events.publish('model.installed', { model: 'after:1b' });
    await back.waitFor((e) => e.seq === after.seq);
    await early.waitFor((e) => e.seq === after.seq);
    expect(back.events.filter((e) => e.type === 'model.installed').map(modelOf)).toEqual(['during:1b', 'after:1b']);
    early.close();
    back.close();
  });
});

describe('download preflight', () => {
  it('refuses a download that cannot fit on the disk with INSUFFICIENT_DISK', async () => {
    t = await startTestDaemon({ env: { JUNMAI_MIN_FREE_DISK_GB: '100000000', OLLAMA_MODELS: '/tmp' } });
    const r = await t.req('POST', '/api/model/download', { body: { model: 'gemma3:12b' } });
    expect(r.status).toBe(507);
    expect(r.body).toMatchObject({ success: false, code: 'INSUFFICIENT_DISK' });
    // Disk in GB of 10^9 bytes like the download size (8,149,190,253 bytes is 8.1 GB; 7.6 in GiB).
    expect(r.body.error).toMatch(/^gemma3:12b needs 8\.1 GB but the disk holding Ollama's models \(\/tmp\) has \d+\.\d GB free, and Junmai keeps 100000000\.0 GB free\./);
    expect(r.body.details).toMatchObject({ needed_bytes: 8_149_190_253 });
    expect(t.daemon.store.jobs.list(10)).toEqual([]);
  });

  it('refuses a model that cannot run here with WONT_FIT, giving the estimate and the memory, unless forced', async () => {
    const { fixedHardware } = await import('../support/daemon.js');
    t = await startTestDaemon({ hardware: fixedHardware(4, 4), emulator: { pullBytesPerSecond: 1024 * 1024 } });
    const r = await t.req('POST', '/api/model/download', { body: { model: 'llama3.1:70b' } });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('WONT_FIT');
    expect(r.body.details.estimate.total_gb).toBeGreaterThan(40);
    expect(r.body.details.available).toMatchObject({ gpu_memory_gb: 4, offload_memory_gb: 4 });
    const forced = await t.req('POST', '/api/model/download', { body: { model: 'llama3.1:70b', force: true } });
    expect(forced.status).toBe(202);
    await t.req('DELETE', `/api/model/downloads/${forced.body.job.id}`, { body: {} });
  });
});
