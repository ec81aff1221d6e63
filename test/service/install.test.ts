import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../daemon/lock.js';
import {
  installService, LAUNCHD_LABEL, launchdPaths, ServiceError, serviceStatus, systemdUnitPath, uninstallService, windowsPaths,
  type RunResult, type ServiceOptions,
} from '../../daemon/service/index.js';
import { parsePlist, parseXml } from './support/xml.js';

let home: string;
let entry: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'junmai-home-'));
  // The built entry lives outside HOME so "nothing left in HOME" is checked on the service's files alone.
  entry = join(mkdtempSync(join(tmpdir(), 'junmai-dist-')), 'main.js');
  writeFileSync(entry, '');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Every file under HOME, relative to it. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .sort();
}

/** Stand-ins for launchctl, systemctl and schtasks that keep the state a real manager would and record each call. */
function fakeManagers() {
  const calls: string[] = [];
  const state = { loaded: false, enabled: false, active: false, task: false, failBootstrap: 0, refuseTask: false, noBus: false };
  const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '' });
  const no = (stderr: string, code = 1): RunResult => ({ code, stdout: '', stderr });
  const run = async (cmd: string, args: string[]): Promise<RunResult> => {
    calls.push([cmd, ...args].join(' ').replaceAll(home, '~'));
    if (cmd === 'launchctl') {
      switch (args[0]) {
        case 'print': return state.loaded ? ok(`${LAUNCHD_LABEL} = {\n\tstate = running\n}`) : no(`Could not find service "${LAUNCHD_LABEL}"`, 113);
        case 'bootout': state.loaded = false; return ok();
        case 'enable': return ok();
        case 'bootstrap':
          if (state.failBootstrap > 0) { state.failBootstrap--; return no('Bootstrap failed: 5: Input/output error', 5); }
          state.loaded = true; return ok();
      }
    }
    if (cmd === 'systemctl') {
      if (state.noBus) return no('Failed to connect to bus: No medium found');
      const [, verb, unit] = args;
      switch (verb) {
        case 'daemon-reload': case 'reset-failed': return ok();
        case 'is-enabled': return state.enabled ? ok('enabled') : no('disabled');
        case 'is-active': return state.active ? ok('active') : no('inactive', 3);
        case 'enable': state.enabled = true; state.active = true; return ok(`Created symlink for ${unit}`);
        case 'restart': state.active = true; return ok();
        case 'disable': state.enabled = false; state.active = false; return ok();
      }
    }
    if (cmd === 'schtasks') {
      switch (args[0]) {
        case '/Query': return state.task ? ok('Junmai  Running') : no('ERROR: The system cannot find the file specified.');
        case '/Create':
          if (state.refuseTask) return no('ERROR: Access is denied.');
          parseXml(readFileSync(args[2] as string).subarray(2).toString('utf16le'));
          state.task = true; return ok('SUCCESS: The scheduled task "Junmai" has successfully been created.');
        case '/Run': case '/End': return state.task ? ok() : no('ERROR: The system cannot find the file specified.');
        case '/Delete': state.task = false; return ok();
      }
    }
    return no(`unexpected command ${cmd} ${args.join(' ')}`, 127);
  };
  return { calls, state, run };
}

function options(platform: NodeJS.Platform, m: ReturnType<typeof fakeManagers>, extra: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    platform, homeDir: home, nodePath: process.execPath, entryPath: entry, env: { JUNMAI_PORT: '5100' }, run: m.run,
    uid: 501, user: 'STUDIO\\ana', sleep: async () => {}, probe: async () => false, dataDir: join(home, 'data'), ...extra,
  };
}

describe('macOS LaunchAgent', () => {
  it('installs the plist and loads it with launchctl bootstrap; a second install changes nothing', async () => {
    const m = fakeManagers();
    const o = options('darwin', m);
    const r = await installService(o);
    expect(r).toMatchObject({ mechanism: 'launchd', changed: true, files: [launchdPaths(home).plist] });
    expect(m.calls).toEqual([
      `launchctl print gui/501/${LAUNCHD_LABEL}`,
      `launchctl enable gui/501/${LAUNCHD_LABEL}`,
      `launchctl bootstrap gui/501 ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
    ]);
    const plist = parsePlist(readFileSync(launchdPaths(home).plist, 'utf8')) as Record<string, unknown>;
    expect(plist).toMatchObject({ ProgramArguments: [process.execPath, entry], EnvironmentVariables: { JUNMAI_PORT: '5100' } });
    expect(statSync(launchdPaths(home).plist).mode & 0o777).toBe(0o600);

    m.calls.length = 0;
    expect(await installService(o)).toMatchObject({ changed: false });
    expect(m.calls).toEqual([`launchctl print gui/501/${LAUNCHD_LABEL}`]);
  });

  it('reloads (bootout, bootstrap) when the definition changed, retrying bootstrap while launchd tears the old job down', async () => {
    const m = fakeManagers();
    await installService(options('darwin', m));
    m.calls.length = 0;
    m.state.failBootstrap = 2;
    expect(await installService(options('darwin', m, { env: { JUNMAI_PORT: '5200' } }))).toMatchObject({ changed: true });
    expect(m.calls).toEqual([
      `launchctl print gui/501/${LAUNCHD_LABEL}`,
      `launchctl bootout gui/501/${LAUNCHD_LABEL}`,
      `launchctl enable gui/501/${LAUNCHD_LABEL}`,
      ...Array(3).fill(`launchctl bootstrap gui/501 ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`),
    ]);
  });

  it('says why when launchctl keeps refusing', async () => {
    const m = fakeManagers();
    m.state.failBootstrap = 99;
    await expect(installService(options('darwin', m))).rejects.toThrow(/launchctl could not load .*Input\/output error/);
  });

  it('uninstall boots the job out and leaves no file behind; a second uninstall is a no-op', async () => {
    const m = fakeManagers();
    const o = options('darwin', m);
    await installService(o);
    // launchd itself would create these from StandardOutPath/StandardErrorPath.
    writeFileSync(launchdPaths(home).stdout, 'x');
    writeFileSync(launchdPaths(home).stderr, 'x');
    m.calls.length = 0;
    const r = await uninstallService(o);
    expect(m.calls).toEqual([`launchctl print gui/501/${LAUNCHD_LABEL}`, `launchctl bootout gui/501/${LAUNCHD_LABEL}`]);
    expect(r.removed.map((f) => relative(home, f))).toEqual([
      `Library/LaunchAgents/${LAUNCHD_LABEL}.plist`, 'Library/Logs/Junmai/daemon.out.log', 'Library/Logs/Junmai/daemon.err.log',
    ]);
    expect(filesIn(home)).toEqual([]);
    expect(readdirSync(join(home, 'Library', 'Logs'))).toEqual([]);
    expect(await uninstallService(o)).toMatchObject({ mechanism: null, removed: [] });
  });

  it('status: installed, loaded, and whether the daemon answers', async () => {
    const m = fakeManagers();
    const o = options('darwin', m, { probe: async () => true });
    expect(await serviceStatus(o)).toMatchObject({ installed: false, enabled: false, mechanism: null });
    await installService(o);
    expect(await serviceStatus(o)).toMatchObject({ installed: true, enabled: true, running: true, mechanism: 'launchd', url: 'http://127.0.0.1:5100', problems: [] });
  });
});

describe('Linux systemd user unit', () => {
  it('writes the unit, reloads systemd and enables it now; a second install only asks', async () => {
    const m = fakeManagers();
    const o = options('linux', m);
    expect(await installService(o)).toMatchObject({ mechanism: 'systemd', changed: true, files: [join(home, '.config/systemd/user/junmai.service')] });
    expect(m.calls).toEqual([
      'systemctl --user is-enabled junmai.service',
      'systemctl --user is-active junmai.service',
      'systemctl --user daemon-reload',
      'systemctl --user enable --now junmai.service',
    ]);
    m.calls.length = 0;
    expect(await installService(o)).toMatchObject({ changed: false });
    expect(m.calls).toEqual(['systemctl --user is-enabled junmai.service', 'systemctl --user is-active junmai.service']);
  });

  it('restarts a running daemon when the unit changed', async () => {
    const m = fakeManagers();
    await installService(options('linux', m));
    m.calls.length = 0;
    await installService(options('linux', m, { env: { JUNMAI_PORT: '5200' } }));
    expect(m.calls).toEqual([
      'systemctl --user is-enabled junmai.service',
      'systemctl --user is-active junmai.service',
      'systemctl --user daemon-reload',
      'systemctl --user restart junmai.service',
    ]);
    expect(readFileSync(systemdUnitPath({ homeDir: home }), 'utf8')).toContain('Environment="JUNMAI_PORT=5200"');
  });

  it('honours XDG_CONFIG_HOME, where systemd looks instead of ~/.config', async () => {
    const m = fakeManagers();
    const r = await installService(options('linux', m, { configHome: join(home, 'cfg') }));
    expect(r.files).toEqual([join(home, 'cfg/systemd/user/junmai.service')]);
  });

  it('explains a missing user session instead of failing obscurely', async () => {
    const m = fakeManagers();
    m.state.noBus = true;
    const err = await installService(options('linux', m)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/daemon-reload failed: Failed to connect to bus.*desktop session/);
    // The unit file was written; once the session is there, the same install finishes the job.
    m.state.noBus = false;
    m.calls.length = 0;
    expect(await installService(options('linux', m))).toMatchObject({ changed: true });
    expect(m.calls).toContain('systemctl --user enable --now junmai.service');
    expect(m.state).toMatchObject({ enabled: true, active: true });
  });

  it('uninstall disables and stops it, and leaves no file behind', async () => {
    const m = fakeManagers();
    const o = options('linux', m);
    await installService(o);
    m.calls.length = 0;
    expect(await uninstallService(o)).toMatchObject({ mechanism: 'systemd', removed: [systemdUnitPath({ homeDir: home })] });
    expect(m.calls).toEqual(['systemctl --user disable --now junmai.service', 'systemctl --user daemon-reload', 'systemctl --user reset-failed junmai.service']);
    expect(filesIn(home)).toEqual([]);
    expect(m.state).toMatchObject({ enabled: false, active: false });
    m.calls.length = 0;
    expect(await uninstallService(o)).toMatchObject({ mechanism: null });
    expect(m.calls).toEqual([]);
  });
});

describe('Windows scheduled task', () => {
  it('registers the task from UTF-16 XML with schtasks and starts it; a second install only queries', async () => {
    const m = fakeManagers();
    const o = options('win32', m);
    const p = windowsPaths({ homeDir: home });
    expect(await installService(o)).toMatchObject({ mechanism: 'task-scheduler', changed: true, files: [p.taskXml, p.envFile] });
    expect(m.calls).toEqual([
      'schtasks /Query /TN Junmai',
      `schtasks /Create /XML ${p.taskXml.replaceAll(home, '~')} /TN Junmai /F`,
      'schtasks /Run /TN Junmai',
    ]);
    expect(readFileSync(p.envFile, 'utf8')).toBe('JUNMAI_PORT="5100"\n');
    m.calls.length = 0;
    expect(await installService(o)).toMatchObject({ changed: false });
    expect(m.calls).toEqual(['schtasks /Query /TN Junmai']);
  });

  it('falls back to a Startup-folder launcher when Task Scheduler refuses', async () => {
    const m = fakeManagers();
    m.state.refuseTask = true;
    const p = windowsPaths({ homeDir: home });
    const r = await installService(options('win32', m));
    expect(r).toMatchObject({ mechanism: 'startup-folder', files: [p.startupCmd, p.envFile] });
    expect(r.message).toMatch(/Access is denied/);
    expect(readFileSync(p.startupCmd, 'utf8')).toContain(`"${entry}"`);
    expect(await serviceStatus(options('win32', m))).toMatchObject({ installed: true, mechanism: 'startup-folder' });
    await uninstallService(options('win32', m));
    expect(filesIn(home)).toEqual([]);
  });

  it('uninstall ends and deletes the task and leaves no file behind', async () => {
    const m = fakeManagers();
    const o = options('win32', m);
    await installService(o);
    m.calls.length = 0;
    expect(await uninstallService(o)).toMatchObject({ mechanism: 'task-scheduler' });
    expect(m.calls).toEqual(['schtasks /Query /TN Junmai', 'schtasks /End /TN Junmai', 'schtasks /Delete /TN Junmai /F']);
    expect(filesIn(home)).toEqual([]);
  });
});

describe('checks common to every platform', () => {
  it('refuses to install a service that could not start', async () => {
    const m = fakeManagers();
    await expect(installService(options('linux', m, { entryPath: join(home, 'nope.js') }))).rejects.toThrow(/not built.*npm run build/);
    await expect(installService(options('linux', m, { nodePath: join(home, 'node') }))).rejects.toThrow(/Node.js was not found/);
    await expect(installService(options('linux', m, { env: { OLLAMA_HOST: 'a\nb' } }))).rejects.toThrow(/control character/);
    await expect(installService(options('aix', m))).rejects.toThrow(/not supported on aix/);
    expect(m.calls).toEqual([]);
    expect(filesIn(home)).toEqual([]);
  });

  it('status names the running daemon from its lock file and asks it /api/health', async () => {
    const server: Server = createServer((req, res) => res.end(req.url === '/api/health' ? '{"success":true}' : ''));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const dataDir = join(home, 'data');
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: process.pid, port, url: `http://127.0.0.1:${port}`, started_at: new Date().toISOString() }));
      const m = fakeManagers();
      const { probe: _real, ...o } = options('linux', m);
      await installService(o);
      expect(await serviceStatus(o)).toEqual({
        mechanism: 'systemd', installed: true, enabled: true, running: true, url: `http://127.0.0.1:${port}`, pid: process.pid,
        files: [systemdUnitPath({ homeDir: home })], problems: [],
      });
    } finally {
      server.close();
    }
  });

  it('status reports a stale installation: another node or settings, and a daemon that does not answer', async () => {
    const m = fakeManagers();
    await installService(options('linux', m));
    const s = await serviceStatus(options('linux', m, { env: { JUNMAI_PORT: '5300' } }));
    expect(s).toMatchObject({ installed: true, running: false, url: 'http://127.0.0.1:5300', pid: null });
    expect(s.problems.join('\n')).toMatch(/differs from this installation/);
    expect(s.problems.join('\n')).toMatch(/does not answer at http:\/\/127.0.0.1:5300/);
  });
});
