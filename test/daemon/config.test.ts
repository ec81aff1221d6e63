import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseOllamaHost } from '../../daemon/config.js';

describe('OLLAMA_HOST in the forms Ollama accepts', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434'],
    ['', 'http://127.0.0.1:11434'],
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    [':11500', 'http://127.0.0.1:11500'],
    ['0.0.0.0:11500', 'http://127.0.0.1:11500'],
    ['gpu-box.local', 'http://gpu-box.local:11434'],
    ['gpu-box.local:8080', 'http://gpu-box.local:8080'],
    ['http://gpu-box.local', 'http://gpu-box.local:80'],
    ['https://ollama.example.org', 'https://ollama.example.org:443'],
    ['https://ollama.example.org/ollama/', 'https://ollama.example.org:443/ollama'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['::1', 'http://[::1]:11434'],
    ['[::]:11434', 'http://[::1]:11434'],
  ])('%j → %s', (input, expected) => {
    expect(parseOllamaHost(input)).toBe(expected);
  });

  it.each([
    ['localhost:99999', 'the port must be a number from 1 to 65535, not "99999"'],
    ['localhost:abc', 'the port must be a number from 1 to 65535, not "abc"'],
    ['ftp://host', 'it must use http:// or https://, not ftp://'],
    ['bad host name:1', '"bad host name" is not a host name'],
  ])('refuses %j as not a valid URL, saying why', (input, why) => {
    expect(() => parseOllamaHost(input)).toThrow(ConfigError);
    expect(() => parseOllamaHost(input)).toThrow(`OLLAMA_HOST "${input}" is not a valid URL (${why}); use a form such as http://127.0.0.1:11434`);
  });
});

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 5100, ollamaUrl: 'http://127.0.0.1:11434', token: undefined });
    expect(c.dataDir.length).toBeGreaterThan(0);
  });

  it('reads every variable', () => {
    const c = loadConfig({ JUNMAI_PORT: '6200', JUNMAI_HOST: '::1', JUNMAI_DATA_DIR: '/tmp/j', OLLAMA_HOST: ':9999', JUNMAI_TOKEN: 'x'.repeat(40) });
    expect(c).toMatchObject({ host: '::1', port: 6200, dataDir: '/tmp/j', ollamaUrl: 'http://127.0.0.1:9999', token: 'x'.repeat(40) });
  });

  it.each([
    [{ JUNMAI_PORT: 'abc' }, /JUNMAI_PORT must be a whole number/],
    [{ JUNMAI_PORT: '70000' }, /JUNMAI_PORT must be between 1 and 65535/],
    [{ JUNMAI_HOST: 'my computer' }, /JUNMAI_HOST must be an IP address/],
    [{ JUNMAI_DATA_DIR: '' }, /JUNMAI_DATA_DIR must not be empty/],
    [{ JUNMAI_TOKEN: 'short' }, /at least 32/],
    [{ JUNMAI_TOKEN: 'x'.repeat(31) }, /at least 32/],
    [{ OLLAMA_HOST: 'localhost:0' }, /OLLAMA_HOST "localhost:0" is not a valid URL/],
  ])('stops on %j with a clear reason', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('JUNMAI_EVAL_KEEP_ALIVE as Ollama reads OLLAMA_KEEP_ALIVE', () => {
  it.each([
    ['-1', -1],
    ['9223372036', 9223372036],
    ['0', 0],
    ['3600', 3600],
    ['30m', '30m'],
    ['1h30m', '1h30m'],
    ['-1m', '-1m'],
    ['1.5h', '1.5h'],
    ['500ms', '500ms'],
  ])('%s is sent to Ollama as %j', (value, sent) => {
    expect(loadConfig({ JUNMAI_EVAL_KEEP_ALIVE: value }).evaluation.keepAlive).toBe(sent);
  });

  it.each([
    ['1.5', 'time: missing unit in duration "1.5"'],
    ['forever', 'time: invalid duration "forever"'],
    ['30 min', 'time: unknown unit " min" in duration "30 min"'],
    ['', 'time: invalid duration ""'],
    // Sent as a number, Ollama would turn it into a negative duration and unload the model at once.
    ['9223372037', 'at most 9223372036 seconds'],
  ])('refuses %j with Go\'s reason', (value, reason) => {
    expect(() => loadConfig({ JUNMAI_EVAL_KEEP_ALIVE: value })).toThrow(`JUNMAI_EVAL_KEEP_ALIVE must be a duration such as 30m or 1h30m, or whole seconds such as -1 (as long as Ollama runs) or 0 (${reason})`);
  });

  it('defaults to 30m, a context of 8,192 tokens and no cloud models', () => {
    const c = loadConfig({});
    expect([c.evaluation.keepAlive, c.evaluation.contextLength, c.evaluation.allowCloudModels]).toEqual(['30m', 8192, false]);
  });

  it('reads JUNMAI_NUM_CTX and JUNMAI_ALLOW_CLOUD_MODELS, and refuses what they cannot be', () => {
    const c = loadConfig({ JUNMAI_NUM_CTX: '4096', JUNMAI_ALLOW_CLOUD_MODELS: 'true' });
    expect([c.evaluation.contextLength, c.evaluation.allowCloudModels]).toEqual([4096, true]);
    expect(() => loadConfig({ JUNMAI_NUM_CTX: '1024' })).toThrow('JUNMAI_NUM_CTX must be between 2048 and 262144');
    expect(() => loadConfig({ JUNMAI_ALLOW_CLOUD_MODELS: 'yes' })).toThrow('JUNMAI_ALLOW_CLOUD_MODELS must be true or false');
  });
});
