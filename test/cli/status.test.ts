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
