import { afterEach, describe, expect, it } from 'vitest';
import { type OllamaEmulator, startOllamaEmulator } from './emulator/index.js';

// The unkind parts of the real Ollama, each read from its source (cited in test/emulator/README.md).

let emu: OllamaEmulator;
afterEach(async () => {
  await emu?.close();
});

const GIB = 1024 ** 3;

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${emu.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const chat = (body: Record<string, unknown>) => post('/api/chat', { stream: false, messages: [{ role: 'user', content: 'hello' }], ...body });

describe('ollama emulator: keep_alive as Go parses it', () => {
  it('refuses a string without a unit with time.ParseDuration\'s own words, and takes numbers as seconds', async () => {
    emu = await startOllamaEmulator({ installed: ['gemma3:4b'] });
    expect(await chat({ model: 'gemma3:4b', keep_alive: '-1' })).toEqual({ status: 400, body: { error: 'time: missing unit in duration "-1"' } });
    expect(await chat({ model: 'gemma3:4b', keep_alive: '30' })).toEqual({ status: 400, body: { error: 'time: missing unit in duration "30"' } });
    expect(await chat({ model: 'gemma3:4b', keep_alive: '5x' })).toEqual({ status: 400, body: { error: 'time: unknown unit "x" in duration "5x"' } });
    expect(await chat({ model: 'gemma3:4b', keep_alive: 'forever' })).toEqual({ status: 400, body: { error: 'time: invalid duration "forever"' } });
    expect(await chat({ model: 'gemma3:4b', keep_alive: true })).toEqual({ status: 400, body: { error: "Unsupported type: 'bool'" } });
    expect((await chat({ model: 'gemma3:4b', keep_alive: '1h30m' })).status).toBe(200);
    expect((await chat({ model: 'gemma3:4b', keep_alive: '-1m' })).status).toBe(200);
    expect((await chat({ model: 'gemma3:4b', keep_alive: -1 })).status).toBe(200);
    const ps = (await (await fetch(`${emu.url}/api/ps`)).json()) as { models: { expires_at: string }[] };
    // Negative: loaded for as long as Ollama runs.
    expect(Date.parse(ps.models[0]?.expires_at ?? '')).toBeGreaterThan(Date.now() + 100 * 365 * 86_400_000);
  });

  it('quotes as Go\'s time package does, and expires at once a number of seconds beyond int64 nanoseconds', async () => {
    emu = await startOllamaEmulator({ installed: ['gemma3:4b'] });
    expect(await chat({ model: 'gemma3:4b', keep_alive: '5 µ"s' })).toEqual({ status: 400, body: { error: 'time: unknown unit " \\xc2\\xb5\\"s" in duration "5 \\xc2\\xb5\\"s"' } });
    const loaded = async () => ((await (await fetch(`${emu.url}/api/ps`)).json()) as { models: unknown[] }).models.length;
    expect((await chat({ model: 'gemma3:4b', keep_alive: 9_223_372_036 })).status).toBe(200);
    expect(await loaded()).toBe(1);
    // time.Duration(1e10 * 1e9) is math.MinInt64 on x86-64: the model is loaded for the answer, then gone.
    expect((await chat({ model: 'gemma3:4b', keep_alive: 1e10 })).status).toBe(200);
    expect(await loaded()).toBe(0);
  });
});

describe('ollama emulator: thinking models', () => {
  it('thinks by default, and thinking tokens count against num_predict; think:false answers at once', async () => {
    emu = await startOllamaEmulator({ installed: ['qwen3-vl:8b', 'gemma3:4b'] });
    const cut = await chat({ model: 'qwen3-vl:8b', options: { num_predict: 1024 } });
    expect(cut.status).toBe(200);
    expect(cut.body).toMatchObject({ done_reason: 'length', eval_count: 1024, message: { role: 'assistant', content: '' } });
    expect(String((cut.body.message as { thinking: string }).thinking)).toMatch(/^Let me look at the photo carefully\./);

    const direct = await chat({ model: 'qwen3-vl:8b', think: false, options: { num_predict: 1024 } });
    expect(direct.body).toMatchObject({ done_reason: 'stop', message: { role: 'assistant' } });
    expect(direct.body.message).not.toHaveProperty('thinking');
    expect(String((direct.body.message as { content: string }).content)).toMatch(/emulator answering: hello/);

    expect(await chat({ model: 'gemma3:4b', think: true })).toEqual({ status: 400, body: { error: '"gemma3:4b" does not support thinking' } });
  });
});

describe('ollama emulator: cloud models', () => {
  it('lists a *-cloud model with remote_model and remote_host and a few hundred bytes, from 0.12.0 on', async () => {
    emu = await startOllamaEmulator({ installed: ['qwen3-vl:235b-cloud', 'gemma3:4b'] });
    const tags = (await (await fetch(`${emu.url}/api/tags`)).json()) as { models: Record<string, unknown>[] };
    expect(tags.models.find((m) => m.name === 'qwen3-vl:235b-cloud')).toMatchObject({
      remote_model: 'qwen3-vl:235b', remote_host: 'https://ollama.com:443', size: 384,
    });
    expect(tags.models.find((m) => m.name === 'gemma3:4b')).not.toHaveProperty('remote_host');
    emu.configure({ version: '0.11.10' });
    const old = (await (await fetch(`${emu.url}/api/tags`)).json()) as { models: Record<string, unknown>[] };
    expect(old.models.map((m) => m.name)).toEqual(['gemma3:4b']);
  });
});

describe('ollama emulator: version-dependent features', () => {
  it('refuses a JSON-schema format before 0.5.0 and leaves capabilities out of /api/show before 0.6.4', async () => {
    emu = await startOllamaEmulator({ installed: ['gemma3:4b'], version: '0.4.7' });
    const format = { type: 'object', properties: { a: { type: 'string' } } };
    expect(await chat({ model: 'gemma3:4b', format })).toEqual({
      status: 400, body: { error: 'json: cannot unmarshal object into Go struct field ChatRequest.format of type string' },
    });
    expect(await chat({ model: 'gemma3:4b', format: ['json'] })).toEqual({
      status: 400, body: { error: 'json: cannot unmarshal array into Go struct field ChatRequest.format of type string' },
    });
    expect((await chat({ model: 'gemma3:4b', format: 'json' })).status).toBe(200);
    expect((await post('/api/show', { model: 'gemma3:4b' })).body).not.toHaveProperty('capabilities');
    emu.configure({ version: '0.6.3' });
    expect((await chat({ model: 'gemma3:4b', format })).status).toBe(200);
    expect((await post('/api/show', { model: 'gemma3:4b' })).body).not.toHaveProperty('capabilities');
    emu.configure({ version: '0.6.4' });
    expect((await post('/api/show', { model: 'gemma3:4b' })).body).toMatchObject({ capabilities: ['completion', 'vision'] });
  });
});

describe('ollama emulator: default context', () => {
  const contextAfterChat = async (model: string, options: Record<string, unknown> = {}): Promise<number | undefined> => {
    expect((await chat({ model, options })).status).toBe(200);
    const ps = (await (await fetch(`${emu.url}/api/ps`)).json()) as { models: { name: string; context_length: number }[] };
    return ps.models.find((m) => m.name === model)?.context_length;
  };

  it('picks the context from the GPU memory since 0.15.5, capped at the model\'s own, when num_ctx is not sent', async () => {
    emu = await startOllamaEmulator({ installed: ['qwen3-vl:8b', 'gemma3:4b'], version: '0.15.5', vramBytes: 8 * GIB });
    expect(await contextAfterChat('qwen3-vl:8b')).toBe(4096);
    emu.configure({ vramBytes: 24 * GIB });
    expect(await contextAfterChat('qwen3-vl:8b')).toBe(32_768);
    emu.configure({ vramBytes: 48 * GIB });
    expect(await contextAfterChat('qwen3-vl:8b')).toBe(262_144);
    expect(await contextAfterChat('gemma3:4b')).toBe(131_072);
    expect(await contextAfterChat('qwen3-vl:8b', { num_ctx: 8192 })).toBe(8192);
    emu.configure({ version: '0.15.4' });
    expect(await contextAfterChat('gemma3:4b')).toBe(4096);
    emu.configure({ version: '0.6.6' });
    expect(await contextAfterChat('gemma3:4b')).toBe(2048);
  });
});
