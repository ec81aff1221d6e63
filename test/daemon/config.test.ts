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

  it.each(['localhost:99999', 'localhost:abc', 'ftp://host', 'bad host name:1'])('refuses %j with a one-line reason', (input) => {
    expect(() => parseOllamaHost(input)).toThrow(ConfigError);
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
    [{ OLLAMA_HOST: 'localhost:0' }, /OLLAMA_HOST has an invalid port/],
  ])('stops on %j with a clear reason', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
