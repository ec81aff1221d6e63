import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnDaemon } from '../support/child-daemon.js';
import { cli } from './cli.js';

describe('junmai logs and service', () => {
  it("shows the tail of the daemon's log as JSON lines", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'junmai-logs-'));
    const d = await spawnDaemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: 'http://127.0.0.1:9', JUNMAI_LOG_LEVEL: 'info' });
    try {
      await fetch(`${d.url}/api/model/current`);
      const deadline = Date.now() + 5000;
      let r = await cli(['logs', '-n', '5'], { JUNMAI_DATA_DIR: dataDir });
      while (!r.stdout.includes('"level"') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 200));
        r = await cli(['logs', '-n', '5'], { JUNMAI_DATA_DIR: dataDir });
      }
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(5);
      for (const line of lines) expect(JSON.parse(line)).toHaveProperty('level');
      const json = await cli(['logs', '--json', '-n', '2'], { JUNMAI_DATA_DIR: dataDir });
      expect(JSON.parse(json.stdout).file).toMatch(/logs/);
      expect((await cli(['logs', '-n', 'many'], { JUNMAI_DATA_DIR: dataDir })).code).toBe(2);
    } finally {
      d.proc.kill('SIGTERM');
      await d.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown service action as a usage error', async () => {
    const r = await cli(['service', 'restart-everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/install, uninstall, status/);
  });
});
