import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLog } from '../../daemon/logging.js';
import { startTestDaemon } from '../support/daemon.js';

/** The log lines a daemon logging as in production wrote while `requests` ran, at `level`. */
async function linesAt(level: string, requests: (t: Awaited<ReturnType<typeof startTestDaemon>>) => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'junmai-reqlog-'));
  try {
    const logging = await openLog({ dataDir, level });
    const t = await startTestDaemon({ dataDir, installed: ['gemma3:4b'], logger: logging.fastifyLogger });
    await requests(t);
    await t.close();
    await logging.close();
    return readFileSync(logging.file(), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const requestLines = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === 'request' || l.msg === 'incoming request' || l.msg === 'request completed');

describe('requests in the log', () => {
  it('at info, none: the log keeps state changes and failures', async () => {
    const lines = await linesAt('info', async (t) => {
      for (let i = 0; i < 5; i++) expect((await t.req('GET', '/api/model/list')).status).toBe(200);
    });
    expect(requestLines(lines)).toEqual([]);
  });

  it('at debug, one line per request with its method, address, status and time', async () => {
    const lines = await linesAt('debug', async (t) => {
      expect((await t.req('GET', '/api/model/list?installed_only=true')).status).toBe(200);
      expect((await t.req('POST', '/api/model/switch', { body: { model: 'nope:1b' } })).status).toBe(404);
    });
    expect(requestLines(lines).map(({ method, url, status, ms }) => ({ method, url, status, ms: typeof ms }))).toEqual([
      { method: 'GET', url: '/api/model/list?installed_only=true', status: 200, ms: 'number' },
      { method: 'POST', url: '/api/model/switch', status: 404, ms: 'number' },
    ]);
  });
});
