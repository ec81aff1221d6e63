import { Ollama, type ProgressResponse } from 'ollama';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DEFAULT_LIBRARY, type OllamaEmulator, perceivedSubjects, startOllamaEmulator } from './emulator/index.js';

// Driven through the real `ollama` client, so what passes here is what a daemon would see.

let emu: OllamaEmulator;
afterEach(async () => {
  await emu?.close();
  vi.restoreAllMocks();
});

async function start(options: Parameters<typeof startOllamaEmulator>[0] = {}): Promise<Ollama> {
  emu = await startOllamaEmulator(options);
  return new Ollama({ host: emu.url });
}

/** Runs a streamed pull to the end, keeping every line; rethrows what the client throws. */
async function collect(stream: AsyncIterable<ProgressResponse>, seen: ProgressResponse[] = []): Promise<ProgressResponse[]> {
  for await (const line of stream) seen.push(line);
  return seen;
}

const TINY = DEFAULT_LIBRARY.find((m) => m.name === 'tiny-vision:1b')!;
const TINY_WEIGHTS = TINY.layers[0]!;

describe('ollama emulator: metadata routes', () => {
  it('answers /, version, tags, show and ps like Ollama', async () => {
    const client = await start({ installed: ['llama3.2:1b', 'gemma3:4b', 'llava:7b'], version: '0.12.6' });
    expect(await (await fetch(`${emu.url}/`)).text()).toBe('Ollama is running');
    expect(await client.version()).toEqual({ version: '0.12.6' });

    const { models } = await client.list();
    expect(models.map((m) => m.name).sort()).toEqual(['gemma3:4b', 'llama3.2:1b', 'llava:7b']);
    const gemma = models.find((m) => m.name === 'gemma3:4b')!;
    expect(gemma).toMatchObject({ model: 'gemma3:4b', details: { format: 'gguf', family: 'gemma3', quantization_level: 'Q4_K_M' } });
    expect(gemma.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(gemma.size).toBeGreaterThan(3e9);

    // Case-insensitive, as Ollama matches names.
    const shown = await client.show({ model: 'GEMMA3:4B' });
    expect(shown.capabilities).toContain('vision');
    const info = shown.model_info as unknown as Record<string, unknown>;
    expect(info['general.architecture']).toBe('gemma3');
    expect(info['gemma3.block_count']).toBe(34);
    expect(info['gemma3.attention.head_count_kv']).toBe(4);
    expect(info['gemma3.attention.key_length']).toBe(256);
    expect(info['gemma3.context_length']).toBe(131072);
    expect(info['general.parameter_count']).toBe(4299915632);

    const llava = await client.show({ model: 'llava:7b' });
    expect(llava.projector_info).toMatchObject({ 'general.architecture': 'clip' });
    expect((await client.show({ model: 'llama3.2:1b' })).capabilities).not.toContain('vision');

    // The legacy `name` field still works.
    const legacy = await fetch(`${emu.url}/api/show`, { method: 'POST', body: JSON.stringify({ name: 'llama3.2:1b' }) });
    expect(legacy.status).toBe(200);

    await expect(client.show({ model: 'nope:1b' })).rejects.toMatchObject({ status_code: 404, message: "model 'nope:1b' not found" });
    expect((await client.ps()).models).toEqual([]);

    const unknown = await fetch(`${emu.url}/api/nothing`);
    expect([unknown.status, await unknown.text()]).toEqual([404, '404 page not found']);
    expect(emu.requests.some((r) => r.path === '/api/show' && (r.body as { model?: string }).model === 'GEMMA3:4B')).toBe(true);
  });

  it('withholds GGUF arrays from /api/show unless verbose, as Ollama does, and always lists the tensors', async () => {
    const client = await start({ installed: ['llama3.2-vision:11b', 'gemma3:4b'] });
    const plain = await client.show({ model: 'llama3.2-vision:11b' });
    const info = plain.model_info as unknown as Record<string, unknown>;
    // Non-empty arrays arrive as null (fs/ggml/gguf.go: no values read, marshalled as null), numbers as numbers.
    expect(info['mllama.attention.cross_attention_layers']).toBeNull();
    expect(info['tokenizer.ggml.tokens']).toBeNull();
    expect(info['mllama.attention.head_count_kv']).toBe(8);
    // The client has no `verbose` field; Ollama's API does.
    const verbose = (await (await fetch(`${emu.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2-vision:11b', verbose: true }) })).json()) as { model_info: Record<string, unknown> };
    expect(verbose.model_info['mllama.attention.cross_attention_layers']).toEqual([3, 8, 13, 18, 23, 28, 33, 38]);
    expect(verbose.model_info['tokenizer.ggml.tokens']).toHaveLength(6);
    // The tensor list still gives the shapes away: 8 cross-attention layers, 8 KV heads of 128 elsewhere.
    const tensors = (plain as unknown as { tensors: Array<{ name: string; shape: number[] }> }).tensors;
    expect(tensors.filter((t) => t.name.endsWith('cross_attn_k_proj.weight'))).toHaveLength(8);
    expect(tensors.find((t) => t.name === 'blk.0.attn_k.weight')?.shape).toEqual([4096, 1024]);
    expect(tensors.find((t) => t.name === 'token_embd.weight')?.shape).toEqual([4096, 128256]);
  });

  it('keeps mllama vision keys in projector_info, not model_info', async () => {
    const client = await start({ installed: ['llama3.2-vision:11b'] });
    const shown = await client.show({ model: 'llama3.2-vision:11b' });
    const info = shown.model_info as unknown as Record<string, unknown>;
    expect(Object.keys(info).filter((k) => k.startsWith('mllama.vision.'))).toEqual([]);
    expect(shown.projector_info).toMatchObject({
      'general.architecture': 'mllama', 'mllama.vision.image_size': 560, 'mllama.vision.patch_size': 14, 'mllama.vision.max_num_tiles': 4,
    });
    expect(shown.details).toMatchObject({ family: 'mllama', parameter_size: '9.8B' });
  });

  it('deletes a model and answers 404 for one it does not have', async () => {
    const client = await start({ installed: ['llama3.2:1b', 'llama3.2:3b'] });
    await client.delete({ model: 'llama3.2:1b' });
    expect((await client.list()).models.map((m) => m.name)).toEqual(['llama3.2:3b']);
    await expect(client.delete({ model: 'llama3.2:1b' })).rejects.toMatchObject({ status_code: 404, message: "model 'llama3.2:1b' not found" });
  });

  it("refuses names outside Ollama's grammar with 400 (show, delete, pull), and takes any scheme, as types/model/name.go does", async () => {
    const client = await start({ installed: ['llama3.2:1b', 'localhost:5000/team/tiny-vision:1b'] });
    for (const bad of ['a/b/c/d', 'ns.dot/m', 'm:', '-m', 'host/name:space/m:t']) {
      await expect(client.show({ model: bad }), bad).rejects.toMatchObject({ status_code: 400, message: 'invalid model name' });
      await expect(client.delete({ model: bad }), bad).rejects.toMatchObject({ status_code: 400, message: `name ${JSON.stringify(bad)} is invalid` });
      await expect(client.pull({ model: bad, stream: false }), bad).rejects.toMatchObject({ status_code: 400, message: 'invalid model name' });
    }
    expect((await client.show({ model: 'ftp!://LOCALHOST:5000/team/tiny-vision:1b' })).capabilities).toContain('vision');
    expect((await client.show({ model: 'https:///library/llama3.2:1b' })).capabilities).toEqual(expect.arrayContaining(['completion']));
  });
});

describe('ollama emulator: pull', () => {
  // Ollama's own ticker is 60 ms (server/download.go Wait); a shorter one keeps these tests quick.
  const quick = { pullTickMs: 10 };

  it('streams Ollama\'s statuses in order, a tick line per layer without a closing one, and installs the model', async () => {
    const client = await start({ ...quick, pullBytesPerSecond: 8e6 });
    const lines = await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }));

    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.map((l) => l.status).slice(-3)).toEqual(['verifying sha256 digest', 'writing manifest', 'success']);
    const layerLines = lines.slice(1, -3);
    expect(layerLines.every((l) => l.status === `pulling ${l.digest!.slice(7, 19)}`)).toBe(true);
    const weights = layerLines.filter((l) => l.digest === TINY_WEIGHTS.digest);
    const completed = weights.map((l) => l.completed ?? 0);
    expect(weights.length).toBeGreaterThanOrEqual(10);
    expect(completed).toEqual([...completed].sort((a, b) => a - b));
    expect(weights.every((l) => l.total === TINY_WEIGHTS.size)).toBe(true);
    // Wait returns when the blob is done, so the last line of a fetched layer may fall short of its total.
    expect(completed.at(-1)!).toBeLessThanOrEqual(TINY_WEIGHTS.size);
    expect(emu.isInstalled('tiny-vision:1b')).toBe(true);
    expect((await client.show({ model: 'tiny-vision:1b' })).capabilities).toContain('vision');

    // Pulling again finds every blob on disk: one line per layer, complete at once, in manifest order.
    const again = await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }));
    expect(again).toEqual([
      { status: 'pulling manifest' },
      ...TINY.layers.map((l) => ({ status: `pulling ${l.digest.slice(7, 19)}`, digest: l.digest, total: l.size, completed: l.size })),
      { status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' },
    ]);
    expect((await client.pull({ model: 'tiny-vision:1b', stream: false })).status).toBe('success');
  });

  // The old weights stay visible through a model in the library that is not installed and ships them.
  const withOldWeights = [...DEFAULT_LIBRARY, { ...TINY, name: 'tiny-vision-copy:1b', aliases: [] }];
  const oldWeightsOnDisk = () => emu.blobBytes('tiny-vision-copy:1b')[TINY_WEIGHTS.digest];

  it('re-pulls a model with a newer version in the registry: fetches only the new blob, then removes the old one', async () => {
    const client = await start({ ...quick, pullBytesPerSecond: 8e6, installed: ['tiny-vision:1b'], library: withOldWeights });
    expect(oldWeightsOnDisk()).toBe(TINY_WEIGHTS.size);
    const before = (await client.list()).models[0]!.digest;
    emu.publishUpdate('tiny-vision:1b');
    const lines = await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }));
    const newWeights = lines.filter((l) => l.digest && l.digest !== TINY_WEIGHTS.digest && l.total === TINY_WEIGHTS.size);
    expect(newWeights.length).toBeGreaterThan(1);
    expect(newWeights[0]!.completed ?? 0).toBeLessThan(TINY_WEIGHTS.size);
    for (const layer of TINY.layers.slice(1)) {
      expect(lines.filter((l) => l.digest === layer.digest)).toEqual([{ status: `pulling ${layer.digest.slice(7, 19)}`, digest: layer.digest, total: layer.size, completed: layer.size }]);
    }
    expect(lines.map((l) => l.status).slice(-4)).toEqual(['verifying sha256 digest', 'writing manifest', 'removing unused layers', 'success']);
    expect((await client.list()).models[0]!.digest).not.toBe(before);
    expect(oldWeightsOnDisk()).toBe(0);
  });

  it('writes the new manifest but keeps the old blobs when the client of a streamed update leaves while Ollama verifies', async () => {
    // The goroutine then blocks on "removing unused layers", which nobody reads (server/routes.go streamResponse).
    const client = await start({ ...quick, pullBytesPerSecond: 8e6, verifyBytesPerSecond: 5e6, installed: ['tiny-vision:1b'], library: withOldWeights });
    const before = (await client.list()).models[0]!.digest;
    emu.publishUpdate('tiny-vision:1b');
    const stream = await client.pull({ model: 'tiny-vision:1b', stream: true });
    await expect(
      (async () => {
        for await (const line of stream) if (line.status === 'verifying sha256 digest') stream.abort();
      })(),
    ).rejects.toThrow(/abort/i);
    await vi.waitFor(async () => expect((await client.list()).models[0]!.digest).not.toBe(before), { timeout: 3000, interval: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(oldWeightsOnDisk()).toBe(TINY_WEIGHTS.size);
  });

  it('fails an unknown model the way the client reports it', async () => {
    const client = await start();
    await expect(collect(await client.pull({ model: 'no-such-model:1b', stream: true }))).rejects.toThrow('pull model manifest: file does not exist');
    await expect(client.pull({ model: 'no-such-model:1b', stream: false })).rejects.toMatchObject({ status_code: 500 });
  });

  it('refuses a model that needs a newer Ollama with the registry\'s 412 as an error line after "pulling manifest"', async () => {
    const client = await start({ ...quick, version: '0.12.6', pullRequires: { 'tiny-vision:1b': '0.13.0' } });
    const seen: ProgressResponse[] = [];
    await expect(collect(await client.pull({ model: 'tiny-vision:latest', stream: true }), seen)).rejects.toThrow(
      /^pull model manifest: 412: \n\nThe model you are attempting to pull requires a newer version of Ollama\./,
    );
    expect(seen).toEqual([{ status: 'pulling manifest' }]);
    expect(emu.isInstalled('tiny-vision:1b')).toBe(false);
    emu.configure({ version: '0.13.0' });
    expect((await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }))).at(-1)!.status).toBe('success');
  });

  it('verifies in silence for a time proportional to the fetched bytes, and writes the manifest even when the client has left', async () => {
    const client = await start({ ...quick, pullBytesPerSecond: 40e6, verifyBytesPerSecond: 5e6 });
    // The silence is read from the timer the emulator sets, not from the wall clock: every fetched byte hashed at 5 MB/s.
    const silence = (TINY.layers.reduce((sum, l) => sum + l.size, 0) / 5e6) * 1000;
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const stream = await client.pull({ model: 'tiny-vision:1b', stream: true });
    await expect(
      (async () => {
        for await (const line of stream) if (line.status === 'verifying sha256 digest') stream.abort();
      })(),
    ).rejects.toThrow(/abort/i);
    expect(emu.isInstalled('tiny-vision:1b')).toBe(false);
    await vi.waitFor(() => expect(emu.isInstalled('tiny-vision:1b')).toBe(true), { timeout: 3000, interval: 20 });
    expect(timers.mock.calls.map((c) => c[1])).toContain(silence);

    // A re-pull fetches nothing, so there is nothing to hash and no silence.
    timers.mockClear();
    await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }));
    expect(timers.mock.calls.map((c) => c[1])).not.toContain(silence);
  });

  it('pulls from a registry with a port, and from a case-sensitive one only with its exact spelling', async () => {
    const client = await start({ pullBytesPerSecond: 1e9 });
    await collect(await client.pull({ model: 'localhost:5000/team/tiny-vision:1b', stream: true }));
    await expect(collect(await client.pull({ model: 'hf.co/team/tiny-vision-gguf:q4_k_m', stream: true }))).rejects.toThrow(
      'pull model manifest: file does not exist',
    );
    await collect(await client.pull({ model: 'hf.co/Team/Tiny-Vision-GGUF:Q4_K_M', stream: true }));
    // Listed as spelled, and found in any case afterwards: Ollama's own store compares case-insensitively.
    expect((await client.list()).models.map((m) => m.name).sort()).toEqual(['hf.co/Team/Tiny-Vision-GGUF:Q4_K_M', 'localhost:5000/team/tiny-vision:1b']);
    expect((await client.show({ model: 'hf.co/team/tiny-vision-gguf:q4_k_m' })).capabilities).toContain('vision');
  });

  it('keeps partial layers when the client aborts, and resumes from them', async () => {
    const client = await start({ ...quick, pullBytesPerSecond: 8e6 });
    const stream = await client.pull({ model: 'tiny-vision:1b', stream: true });
    const seen: ProgressResponse[] = [];
    await expect(
      (async () => {
        for await (const line of stream) {
          seen.push(line);
          if (line.digest === TINY_WEIGHTS.digest && (line.completed ?? 0) >= TINY_WEIGHTS.size / 3) stream.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    const lastSeen = seen.at(-1)!.completed!;
    await vi.waitFor(() => expect(emu.blobBytes('tiny-vision:1b')[TINY_WEIGHTS.digest]).toBeGreaterThanOrEqual(lastSeen));
    expect(emu.isInstalled('tiny-vision:1b')).toBe(false);

    emu.configure({ pullBytesPerSecond: 2e6 });
    const resumed = await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }));
    const first = resumed.find((l) => l.digest === TINY_WEIGHTS.digest)!;
    expect(first.completed).toBeGreaterThanOrEqual(lastSeen);
    expect(first.completed).toBeLessThan(TINY_WEIGHTS.size);
    expect(resumed.at(-1)!.status).toBe('success');
  });
});

describe('ollama emulator: faults', () => {
  it('errorLine surfaces as the client error, endWithoutSuccess and malformed as an unfinished stream', async () => {
    const client = await start({ pullBytesPerSecond: 100e6 });
    emu.fault('pull', { kind: 'errorLine', afterLines: 3, error: 'max retries exceeded: EOF', times: 1 });
    await expect(collect(await client.pull({ model: 'tiny-vision:1b', stream: true }))).rejects.toThrow('max retries exceeded: EOF');

    emu.fault('pull', { kind: 'endWithoutSuccess', afterLines: 4, times: 1 });
    const seen: ProgressResponse[] = [];
    await expect(collect(await client.pull({ model: 'tiny-vision:1b', stream: true }), seen)).rejects.toThrow('Did not receive done or success response in stream.');
    expect(seen).toHaveLength(4);

    // The client skips a line it cannot parse (with a console warning) and then misses the success line.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    emu.fault('pull', { kind: 'malformed', afterLines: 2, times: 1 });
    await expect(collect(await client.pull({ model: 'tiny-vision:1b', stream: true }))).rejects.toThrow('Did not receive done or success response in stream.');
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.any(String));

    // Faults with `times` run out; the next pull is clean.
    expect((await collect(await client.pull({ model: 'tiny-vision:1b', stream: true }))).at(-1)!.status).toBe('success');
  });

  it('cut breaks the body mid-stream, or the connection before any answer', async () => {
    const client = await start({ pullTickMs: 10, pullBytesPerSecond: 8e6, installed: ['llama3.2:1b'] });
    emu.fault('pull', { kind: 'cut', afterLines: 2, times: 1 });
    const seen: ProgressResponse[] = [];
    await expect(collect(await client.pull({ model: 'tiny-vision:1b', stream: true }), seen)).rejects.toThrow();
    expect(seen).toHaveLength(2);

    emu.fault('tags', { kind: 'cut', afterLines: 0, times: 1 });
    await expect(client.list()).rejects.toThrow('fetch failed');
    expect((await client.list()).models).toHaveLength(1);
  });

  it('stall on a pull stops the bytes but not the lines, as Ollama retries a stalled part; the kept bytes are what the client saw', async () => {
    const client = await start({ pullTickMs: 10, pullBytesPerSecond: 4e6 });
    emu.fault('pull', { kind: 'stall', afterLines: 6, times: 1 });
    const stream = await client.pull({ model: 'tiny-vision:1b', stream: true });
    const seen: ProgressResponse[] = [];
    const reading = collect(stream, seen);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(20));
    stream.abort();
    await expect(reading).rejects.toThrow(/abort/i);

    const kept = seen[5]!.completed!;
    expect(kept).toBeGreaterThan(0);
    expect(seen.slice(6).every((l) => l.digest === TINY_WEIGHTS.digest && l.completed === kept)).toBe(true);
    expect(emu.blobBytes('tiny-vision:1b')[TINY_WEIGHTS.digest]).toBe(kept);
  });

  it('stall on a generation leaves the reader waiting', async () => {
    const client = await start({ installed: ['llama3.2:1b'] });
    emu.fault('generate', { kind: 'stall', afterLines: 1 });
    const stream = await client.generate({ model: 'llama3.2:1b', prompt: 'Why is the sky blue?', stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ done: false });
    const next = iterator.next();
    const winner = await Promise.race([next.then(() => 'data'), new Promise((r) => setTimeout(() => r('silence'), 200))]);
    expect(winner).toBe('silence');
    stream.abort();
    await expect(next).rejects.toThrow(/abort/i);
  });

  it('status, delay and hang', async () => {
    const client = await start({ installed: ['llama3.2:1b'] });
    emu.fault('tags', { kind: 'status', status: 500, error: 'boom', times: 1 });
    await expect(client.list()).rejects.toMatchObject({ status_code: 500, message: 'boom' });
    expect((await client.list()).models).toHaveLength(1);

    emu.fault('*', { kind: 'delay', ms: 120, times: 1 });
    const t0 = performance.now();
    await client.version();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);

    emu.fault('version', { kind: 'hang' });
    await expect(fetch(`${emu.url}/api/version`, { signal: AbortSignal.timeout(150) })).rejects.toThrow(/timeout|aborted/i);
    emu.clearFaults();
    expect(await client.version()).toEqual({ version: '0.12.6' });
  });
});

describe('ollama emulator: generate and chat', () => {
  const Caption = z.object({
    title: z.string().max(40),
    rating: z.number().int().min(1).max(5),
    keywords: z.array(z.enum(['sunset', 'portrait', 'street', 'macro'])).min(1).max(3),
    mood: z.enum(['calm', 'busy']),
    score: z.number().min(0).max(1),
    outdoor: z.boolean(),
  });

  it('returns JSON matching a format schema, with Ollama timing fields', async () => {
    const client = await start({ installed: ['gemma3:4b'] });
    const format = z.toJSONSchema(Caption);
    const cold = await client.generate({ model: 'gemma3:4b', prompt: 'Describe the photo', images: ['aGVsbG8='], format, stream: false });
    expect(Caption.parse(JSON.parse(cold.response!))).toBeTruthy();
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration'] as const) {
      expect(cold[key]).toBeGreaterThan(0);
    }
    expect(cold.done_reason).toBe('stop');
    expect(emu.isLoaded('gemma3:4b')).toBe(true);
    expect((await client.ps()).models[0]).toMatchObject({ name: 'gemma3:4b', context_length: 4096 });

    // Warm: loading is cheap now. Streaming chat with the same schema concatenates to valid JSON.
    const stream = await client.chat({ model: 'gemma3:4b', messages: [{ role: 'user', content: 'Again' }], format, stream: true });
    let text = '';
    let last;
    for await (const part of stream) {
      text += part.message.content;
      last = part;
    }
    expect(Caption.parse(JSON.parse(text))).toBeTruthy();
    expect(last!.load_duration).toBeLessThan(cold.load_duration / 10);

    const json = await client.generate({ model: 'gemma3:4b', prompt: 'Say hi in JSON', format: 'json' });
    expect(typeof JSON.parse(json.response!)).toBe('object');
  });

  it('holds a model with eyes to an enum of keywords, as the grammar would: what it sees as the list spells it, else from the list', async () => {
    const client = await start({ installed: ['gemma3:4b'], eyes: { 'gemma3:4b': {} } });
    const image = 'aGVsbG8=';
    const seen = perceivedSubjects(image);
    const ask = async (names: string[]) => {
      const format = z.toJSONSchema(z.object({ keywords: z.array(z.enum(names as [string, ...string[]])).max(5) }));
      const r = await client.chat({ model: 'gemma3:4b', messages: [{ role: 'user', content: 'Tag it', images: [image] }], format, stream: false });
      return (JSON.parse(r.message.content) as { keywords: string[] }).keywords;
    };
    expect(await ask(['Lanterns', ...seen.map((s) => `${s.toUpperCase()}S`)])).toEqual(seen.map((s) => `${s.toUpperCase()}S`));
    const others = ['Lanterns', 'Moss', 'Gates'];
    const answer = await ask(others);
    expect(answer.length).toBeGreaterThan(0);
    for (const k of answer) expect(others).toContain(k);
  });

  it('loads, unloads, refuses images without vision, and 404s an unknown model', async () => {
    const client = await start({ installed: ['llama3.2:1b'], generateLatencyMs: 30 });
    const loaded = await client.generate({ model: 'llama3.2:1b', prompt: '' });
    expect(loaded).toMatchObject({ response: '', done: true, done_reason: 'load' });
    expect(emu.isLoaded('llama3.2:1b')).toBe(true);

    await expect(client.generate({ model: 'llama3.2:1b', prompt: 'What is this?', images: ['aGVsbG8='] })).rejects.toMatchObject({
      status_code: 500,
      message: expect.stringContaining('missing data required for image input'),
    });

    const answer = await client.chat({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], keep_alive: 0 });
    expect(answer.message.content.length).toBeGreaterThan(0);
    await vi.waitFor(async () => expect((await client.ps()).models).toEqual([]), { timeout: 2000, interval: 10 });

    await expect(client.generate({ model: 'llama3.2:3b', prompt: 'hi' })).rejects.toMatchObject({ status_code: 404, message: "model 'llama3.2:3b' not found" });
  });
});

describe('ollama emulator: unloading as server/sched.go does', () => {
  it('answers an unload at once, lists the runner a little longer, and a load in between reuses it and loses it all the same', async () => {
    const client = await start({ installed: ['llama3.2:1b'], unloadLatencyMs: 300 });
    await client.generate({ model: 'llama3.2:1b', prompt: '' });
    expect(await client.generate({ model: 'llama3.2:1b', prompt: '', keep_alive: 0 })).toMatchObject({ done: true, done_reason: 'unload' });
    expect((await client.ps()).models.map((m) => m.name)).toEqual(['llama3.2:1b']);
    // Warm: the dying runner answers, so its load_duration is a warm one (under 0.1 s), not the cold ~0.4 s + size.
    const reload = await client.generate({ model: 'llama3.2:1b', prompt: 'hi', keep_alive: '30m' });
    expect(reload.load_duration).toBeLessThan(100e6);
    await vi.waitFor(async () => expect((await client.ps()).models).toEqual([]), { timeout: 2000, interval: 20 });
    expect(emu.isLoaded('llama3.2:1b')).toBe(false);
  });
});

describe('ollama emulator: lifecycle', () => {
  it('stop() refuses connections and start() brings it back with its state', async () => {
    const client = await start({ installed: ['llama3.2:1b'] });
    const port = emu.port;
    await emu.stop();
    await expect(client.list()).rejects.toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    await emu.start();
    expect(emu.port).toBe(port);
    expect((await client.list()).models.map((m) => m.name)).toEqual(['llama3.2:1b']);
  });

  it('close() ends hung and streaming requests instead of leaving them open', async () => {
    const client = await start({ installed: ['llama3.2:1b'] });
    emu.fault('tags', { kind: 'hang' });
    const hung = client.list();
    await new Promise((r) => setTimeout(r, 50));
    await emu.close();
    await expect(hung).rejects.toThrow('fetch failed');
  });
});
