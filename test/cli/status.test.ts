import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { cli } from './cli.js';

let t: TestDaemon;
const junmai = (...args: string[]) => cli(['--url', t.url, ...args]);

beforeAll(async () => {
  t = await startTestDaemon({ emulator: { version: '0.4.7' } });
});
afterAll(async () => {
  await t?.close();
});

describe('junmai list', () => {
  it('shows a cloud model as "cloud", with no size and no memory figure', async () => {
    const cloudy = await startTestDaemon({ installed: ['qwen3-vl:235b-cloud'] });
    try {
      await cloudy.req('POST', '/api/model/sync', { body: {} });
      const r = await cli(['--url', cloudy.url, 'list', '--installed']);
      expect(r.code, r.stderr).toBe(0);
      const row = r.stdout.split('\n').find((l) => l.startsWith('qwen3-vl:235b-cloud'));
      // SIZE, MIN VRAM and FITS HERE are all "-": nothing of it runs on this computer.
      expect(row?.split(/\s{2,}/)).toEqual(['qwen3-vl:235b-cloud', 'custom', '-', '-', '-', '✓', 'cloud', '0']);
    } finally {
      await cloudy.close();
    }
  });
});

describe('junmai status', () => {
  it('says in words that Ollama needs an update, and --json is the health body', async () => {
    const [text, json] = await Promise.all([junmai('status'), junmai('status', '--json')]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^! Junmai \S+ \(API 1\): degraded$/);
    expect(lines[1]).toBe(`  Ollama 0.4.7 at ${t.emu.url}`);
    expect(lines[2]).toBe('  Ollama 0.4.7 is too old to evaluate photos: Junmai needs Ollama 0.6.4 or newer (0.5.0 at the very least, for structured answers). Update Ollama from ollama.com/download.');
    expect(json.code).toBe(0);
    expect(HealthResponse.parse(JSON.parse(json.stdout)).ollama).toMatchObject({ version: '0.4.7', outdated: true });
  });
});
