import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../daemon/cli/run.js';
import { freePort } from '../support/child-daemon.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon();
});
afterAll(async () => t?.close());

/** `junmai ARGS` in this process, with an opener that records what it was asked to show. */
async function junmai(args: string[], open: (url: string) => Promise<void>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await run(args, { stdout, stderr, env: {}, open });
  return { code, stdout: out, stderr: err };
}

describe('junmai dashboard', () => {
  it('prints the address and opens it in the browser', async () => {
    const opened: string[] = [];
    const r = await junmai(['--url', t.url, 'dashboard'], async (url) => void opened.push(url));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`The Junmai dashboard is at ${t.url}/\n`);
    expect(opened).toEqual([`${t.url}/`]);
  });

  it('opens nothing when the daemon is not running, and says so', async () => {
    const opened: string[] = [];
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await junmai(['--url', url, 'dashboard'], async (u) => void opened.push(u));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`The Junmai daemon is not running at ${url}`);
    expect(opened).toEqual([]);
  });

  it('still prints the address when no browser can be opened', async () => {
    const r = await junmai(['--url', t.url, 'dashboard'], async () => {
      throw new Error('spawn xdg-open ENOENT');
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`The Junmai dashboard is at ${t.url}/\n`);
    expect(r.stderr).toBe('Could not open a browser (spawn xdg-open ENOENT); open the address above yourself.\n');
  });
});
