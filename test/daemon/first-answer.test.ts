import { afterEach, describe, expect, it } from 'vitest';
import { fixedHardware, startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const installed = async (d: TestDaemon) => ((await d.req('GET', '/api/model/list?installed_only=true')).body.models as { name: string }[]).map((m) => m.name);

describe('the first answer is right', () => {
  it('right after a start, the list already has what Ollama has, even when Ollama is slow to list', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'] });
    expect(await installed(t)).toEqual(['gemma3:4b']);
    // Installed while the daemon was stopped, and Ollama takes a while to answer the first sync.
    t.emu.install('qwen2.5vl:7b');
    t.emu.fault('tags', { kind: 'delay', ms: 400, times: 1 });
    await t.restart();
    const list = await t.req('GET', '/api/model/list');
    expect(list.body.models.filter((m: { installed: boolean }) => m.installed).map((m: { name: string }) => m.name)).toEqual(['gemma3:4b', 'qwen2.5vl:7b']);
    expect(list.body).toMatchObject({ ollama_reachable: true, installed_as_of: expect.any(String) });
    expect(list.body.note).toBeUndefined();
  });

  it('with Ollama unreachable, the list says its installed flags are from the last sync, and when', async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'] });
    const before = (await t.req('GET', '/api/model/list')).body;
    const asOf = before.installed_as_of as string;
    expect(Number.isNaN(Date.parse(asOf))).toBe(false);
    await t.emu.stop();
    expect((await t.req('POST', '/api/model/sync', { body: {} })).body.code).toBe('OLLAMA_UNREACHABLE');
    for (const path of ['/api/model/list', '/api/model/installed']) {
      const r = (await t.req('GET', path)).body;
      expect(r).toMatchObject({ ollama_reachable: false, installed_as_of: asOf });
      expect(r.note).toBe(`Ollama is not answering, so which models are installed is as of the last sync with it, at ${asOf}.`);
      expect(r.models.find((m: { name: string }) => m.name === 'gemma3:4b').installed).toBe(true);
    }
    // A daemon started while Ollama is down says so from its first answer.
    await t.restart();
    expect((await t.req('GET', '/api/model/list')).body).toMatchObject({ ollama_reachable: false, installed_as_of: asOf });
    await t.emu.start();
  });

  it('the hardware probe behind the list\'s fit column starts with the daemon, not with the first list', async () => {
    const hw = fixedHardware();
    let probes = 0;
    t = await startTestDaemon({ hardware: { probe: async () => (probes++, hw.info) } });
    expect(probes).toBe(1);
    const list = await t.req('GET', '/api/model/list');
    expect(list.body.models.find((m: { name: string }) => m.name === 'gemma3:4b').fit).toBe('fits_gpu');
  });

  it('while the probe\'s answer is fresh, lists take it as it is and ask the probe nothing', async () => {
    const hw = fixedHardware();
    let probes = 0;
    let fresh = true;
    t = await startTestDaemon({ hardware: { probe: async () => (probes++, hw.info), fresh: () => (fresh ? hw.info : undefined) } });
    expect(probes).toBe(1);
    for (let i = 0; i < 3; i++) expect((await t.req('GET', '/api/model/list')).status).toBe(200);
    expect(probes).toBe(1);
    // Once it is stale, the next list has the probe asked again (behind it).
    fresh = false;
    expect((await t.req('GET', '/api/model/list')).status).toBe(200);
    expect(probes).toBe(2);
  });

  it('once the hardware is known, a list does not wait for the probe to run again', async () => {
    const hw = fixedHardware();
    let release: (() => void) | undefined;
    let probes = 0;
    // The first probe answers; the next hangs, as nvidia-smi or PowerShell can for seconds once the probe's cache expires.
    const probe = () => (probes++ === 0 ? Promise.resolve(hw.info) : new Promise<typeof hw.info>((resolve) => (release = () => resolve(hw.info))));
    t = await startTestDaemon({ hardware: { probe } });
    const first = await t.req('GET', '/api/model/list');
    expect(first.body.models.find((m: { name: string }) => m.name === 'gemma3:4b').fit).toBe('fits_gpu');
    const again = await Promise.race([t.req('GET', '/api/model/info/gemma3:4b'), new Promise((r) => setTimeout(() => r('waited'), 2000))]);
    release?.();
    expect(again).not.toBe('waited');
    expect((again as { body: { model: { fit: string } } }).body.model.fit).toBe('fits_gpu');
  });
});
