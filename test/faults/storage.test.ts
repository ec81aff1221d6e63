import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../daemon/store/db.js';
import { MIGRATIONS } from '../../daemon/store/migrations.js';
import { startOllamaEmulator } from '../emulator/index.js';
import { spawnDaemon } from '../support/child-daemon.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'junmai-storage-'));
  dirs.push(d);
  return d;
};

describe('storage faults', () => {
  it('a full disk answers 507 DISK_FULL and loses no earlier record', async () => {
    t = await startTestDaemon();
    const record = { model: 'gemma3:4b', duration_ms: 1000, success: true, photo_id: 'x'.repeat(200) };
    expect((await t.req('POST', '/api/model/usage', { body: Array.from({ length: 50 }, () => record) })).status).toBe(200);
    const db = (t.daemon.store as unknown as { db: Db }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const r = await t.req('POST', '/api/model/usage', { body: Array.from({ length: 2000 }, () => record) });
    expect(r.status).toBe(507);
    expect(r.body).toMatchObject({ success: false, code: 'DISK_FULL' });
    expect(r.body.error).toMatch(/disk .* full/i);
    db.pragma('max_page_count = 1073741823');
    const stats = (await t.req('GET', '/api/model/statistics?model=gemma3:4b')).body.statistics['gemma3:4b'];
    expect(stats.count).toBe(50);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    console.log(`[faults] disk full: refused batch of 2000 with 507, kept all ${stats.count} earlier records`);
  });

  it('a database file from a newer version stops the daemon with a clear message and is left as it was', async () => {
    const dataDir = tempDir();
    const file = new Database(join(dataDir, 'junmai.db'));
    file.exec('CREATE TABLE from_the_future (x)');
    file.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    file.close();
    const before = readFileSync(join(dataDir, 'junmai.db'));
    await expect(spawnDaemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: 'http://127.0.0.1:9' }, 8000)).rejects.toThrow(/exited with 2: .*newer version of Junmai/s);
    expect(readFileSync(join(dataDir, 'junmai.db')).equals(before)).toBe(true);
  });

  it('a corrupt database is reported, moved aside and never silently replaced', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'junmai.db'), Buffer.concat([Buffer.from('this is not SQLite\n'), Buffer.alloc(8192, 7)]));
    const emu = await startOllamaEmulator();
    try {
      const d = await spawnDaemon({ JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: emu.url });
      try {
        const health = (await fetch(`${d.url}/api/health`).then((r) => r.json())) as { database: { ok: boolean; notice: string } };
        expect(health.database.ok).toBe(true);
        expect(health.database.notice).toMatch(/moved aside to .*junmai\.db\.corrupt-/);
        const aside = readdirSync(dataDir).find((f) => f.startsWith('junmai.db.corrupt-')) as string;
        expect(aside).toBeDefined();
        expect(readFileSync(join(dataDir, aside)).subarray(0, 18).toString()).toBe('this is not SQLite');
        expect(existsSync(join(dataDir, 'junmai.db'))).toBe(true);
        console.log(`[faults] corrupt database moved aside to ${aside}; daemon reports it in /api/health`);
      } finally {
        d.proc.kill('SIGKILL');
      }
    } finally {
      await emu.close();
    }
  });
});
