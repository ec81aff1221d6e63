import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListResponse } from '../../daemon/schemas/api.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { cli } from './cli.js';

const HOW_TO_START = /The Junmai daemon is not running at http:\/\/127\.0\.0\.1:1\. Start it with `npm start` in the Junmai checkout, or with `junmai serve`\./;

describe('junmai without a daemon, and usage errors', () => {
  it('exits 3 and says how to start the daemon when nothing listens at --url', async () => {
    const [human, jsonViaEnv] = await Promise.all([
      cli(['--url', 'http://127.0.0.1:1', 'list']),
      cli(['current', '--json'], { JUNMAI_URL: 'http://127.0.0.1:1' }),
    ]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(HOW_TO_START);
    expect(human.stdout).toBe('');
    expect(jsonViaEnv.code).toBe(3);
    expect(jsonViaEnv.stderr).toMatch(HOW_TO_START);
    expect(JSON.parse(jsonViaEnv.stdout)).toMatchObject({ success: false, code: 'DAEMON_NOT_RUNNING' });
  });

  it('exits 2 for an unknown command, an unknown option or value, a missing argument, or nothing at all', async () => {
    // All refused before any request: --url points nowhere, and a request would exit 3 instead.
    const nowhere = ['--url', 'http://127.0.0.1:1'];
    const [unknown, option, missing, purpose, priority, nothing] = await Promise.all([
      cli(['frobnicate']),
      cli([...nowhere, 'list', '--colour']),
      cli([...nowhere, 'switch']),
      cli([...nowhere, 'list', '--purpose', 'fast']),
      cli([...nowhere, 'recommend', '8', 'fastest']),
      cli([]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    expect(unknown.stderr).toMatch(/junmai help/);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/--colour/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing argument: junmai switch NAME/);
    expect(purpose.code).toBe(2);
    expect(purpose.stderr).toMatch(/--purpose must be one of speed, balanced, quality, specialized \(got "fast"\)/);
    expect(priority.code).toBe(2);
    expect(priority.stderr).toMatch(/priority must be one of speed, balanced, quality/);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/Usage: junmai COMMAND/);
  });

  it('documents every command and the exit codes in `junmai help`', async () => {
    const [help, one] = await Promise.all([cli(['help']), cli(['recommend', '--help'])]);
    expect(help.code).toBe(0);
    for (const c of ['list', 'current', 'info', 'switch', 'evaluate', 'pull', 'rm', 'downloads', 'cancel', 'resume', 'recommend', 'stats', 'hardware', 'sync', 'export', 'import', 'serve', 'help']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(help.stdout).toMatch(new RegExp(`^\\s+${code}  \\S`, 'm'));
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Usage: junmai recommend \[VRAM\] \[PRIORITY\]/);
    expect(one.stdout).toMatch(/--priority P/);
  });
});

describe('junmai with a token', () => {
  const TOKEN = 'cli-test-token-0123456789-abcdefghij';
  let t: TestDaemon;
  beforeAll(async () => {
    t = await startTestDaemon({ installed: ['gemma3:4b'], env: { JUNMAI_TOKEN: TOKEN } });
  });
  afterAll(async () => t?.close());

  it('sends --token or $JUNMAI_TOKEN, and reports UNAUTHORIZED with exit 1 without', async () => {
    const [flag, env, none] = await Promise.all([
      cli(['--url', t.url, '--token', TOKEN, 'list', '--json']),
      // pull's event socket passes the same guard as REST, so it needs the token too.
      cli(['--url', t.url, 'downloads', '--json'], { JUNMAI_TOKEN: TOKEN }),
      cli(['--url', t.url, 'list']),
    ]);
    expect(flag.code).toBe(0);
    expect(ListResponse.parse(JSON.parse(flag.stdout)).count).toBeGreaterThan(0);
    expect(env.code).toBe(0);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/needs the Junmai access token.*\(UNAUTHORIZED\)/);
  });
});
