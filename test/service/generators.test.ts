import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { envFileText, LAUNCHD_LABEL, launchAgentPlist, launchdPaths, startupCmd, systemdUnit, taskSchedulerXml } from '../../daemon/service/index.js';
import { utf16le } from '../../daemon/service/windows.js';
import { child, elements, parsePlist, parseXml, text } from './support/xml.js';
import { parseUnit, values, windowsArgs, words } from './support/unit.js';

const tmp = mkdtempSync(join(tmpdir(), 'junmai-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
// Characters a path or a setting may hold that each format must escape: XML, systemd specifiers and variables, cmd.
const awkward = { JUNMAI_PORT: '5100', OLLAMA_HOST: 'http://gpu-box:11434/a&b<c>%d$e f' };

describe('the test XML reader rejects what is not well-formed', () => {
  it.each([
    ['crossed tags', '<a><b></a></b>'],
    ['unclosed', '<a><b></b>'],
    ['bare ampersand', '<a>x & y</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['two roots', '<a/><b/>'],
    ['text after root', '<a/>x'],
  ])('%s', (_, doc) => expect(() => parseXml(doc)).toThrow());
});

describe('launchd property list', () => {
  const paths = launchdPaths('/Users/ana');
  const plistText = launchAgentPlist({ nodePath: '/opt/node 20/bin/node', entryPath: '/Users/ana/junmai/dist/daemon/main.js', env: awkward, stdoutPath: paths.stdout, stderrPath: paths.stderr });

  it('is a property list with the keys launchd needs', () => {
    const plist = parsePlist(plistText) as Record<string, unknown>;
    expect(plist).toEqual({
      Label: LAUNCHD_LABEL,
      ProgramArguments: ['/opt/node 20/bin/node', '/Users/ana/junmai/dist/daemon/main.js'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ExitTimeOut: 20,
      StandardOutPath: '/Users/ana/Library/Logs/Junmai/daemon.out.log',
      StandardErrorPath: '/Users/ana/Library/Logs/Junmai/daemon.err.log',
      EnvironmentVariables: awkward,
    });
    expect(paths.plist).toBe(`/Users/ana/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`);
    expect(plistText).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1.0\/\/EN"/);
  });

  it('keeps an empty EnvironmentVariables dict valid', () => {
    const plist = parsePlist(launchAgentPlist({ nodePath: '/n', entryPath: '/e', env: {}, stdoutPath: '/o', stderrPath: '/e2' })) as Record<string, unknown>;
    expect(plist.EnvironmentVariables).toEqual({});
  });

  it.runIf(has('plutil'))('passes plutil -lint (macOS)', () => {
    const file = join(tmp, 'agent.plist');
    writeFileSync(file, plistText);
    expect(spawnSync('plutil', ['-lint', file]).status).toBe(0);
  });
});

describe('systemd user unit', () => {
  const entryDir = join(tmp, 'check out 100%', 'dist', 'daemon');
  mkdirSync(entryDir, { recursive: true });
  const entry = join(entryDir, 'main.js');
  writeFileSync(entry, '');
  const unitText = systemdUnit({ nodePath: process.execPath, entryPath: entry, env: awkward });

  it('has the sections and keys: ExecStart runs node on the entry, restart on failure, wanted by default.target', () => {
    const u = parseUnit(unitText);
    expect(Object.keys(u)).toEqual(['Unit', 'Service', 'Install']);
    expect(values(u, 'Unit', 'Description')[0]).toMatch(/Junmai/);
    expect(values(u, 'Service', 'ExecStart').map((v) => words(v))).toEqual([[process.execPath, entry]]);
    expect(values(u, 'Service', 'Restart')).toEqual(['on-failure']);
    expect(values(u, 'Service', 'Type')).toEqual(['simple']);
    expect(values(u, 'Service', 'RestartPreventExitStatus')).toEqual(['2']);
    // Environment= expands specifiers but not $variables.
    const env = values(u, 'Service', 'Environment').map((v) => words(v, { dollars: false })[0]);
    expect(env).toEqual(['JUNMAI_PORT=5100', `OLLAMA_HOST=${awkward.OLLAMA_HOST}`]);
    expect(values(u, 'Install', 'WantedBy')).toEqual(['default.target']);
  });

  it.runIf(has('systemd-analyze'))('passes systemd-analyze verify', () => {
    const file = join(tmp, 'junmai.service');
    writeFileSync(file, unitText);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    const aboutUs = r.stderr.split('\n').filter((l) => l.includes('junmai.service'));
    expect(aboutUs).toEqual([]);
    expect(r.status).toBe(0);
  });
});

describe('Windows task', () => {
  const spec = { user: 'STUDIO\\ana', nodePath: 'C:\\Program Files\\nodejs\\node.exe', entryPath: 'C:\\Users\\ana\\junmai\\dist\\daemon\\main.js', envFile: 'C:\\Users\\ana\\AppData\\Local\\junmai\\service\\service.env' };
  const xml = taskSchedulerXml(spec);

  it('is well-formed task XML with a logon trigger for the user and the node command', () => {
    const task = parseXml(xml);
    expect(task.name).toBe('Task');
    expect(task.attrs.xmlns).toBe('http://schemas.microsoft.com/windows/2004/02/mit/task');
    const trigger = child(task, 'Triggers', 'LogonTrigger');
    expect(text(child(trigger, 'UserId'))).toBe('STUDIO\\ana');
    expect(text(child(trigger, 'Enabled'))).toBe('true');
    const principal = child(task, 'Principals', 'Principal');
    expect(text(child(principal, 'UserId'))).toBe('STUDIO\\ana');
    expect(text(child(principal, 'LogonType'))).toBe('InteractiveToken');
    expect(text(child(principal, 'RunLevel'))).toBe('LeastPrivilege');
    expect(child(task, 'Actions').attrs.Context).toBe(principal.attrs.id);
    const exec = child(task, 'Actions', 'Exec');
    expect(text(child(exec, 'Command'))).toBe(spec.nodePath);
    expect(windowsArgs(text(child(exec, 'Arguments')))).toEqual([`--env-file=${spec.envFile}`, spec.entryPath]);
    const settings = child(task, 'Settings');
    expect(text(child(settings, 'ExecutionTimeLimit'))).toBe('PT0S');
    expect(text(child(settings, 'DisallowStartIfOnBatteries'))).toBe('false');
    expect(text(child(settings, 'StopIfGoingOnBatteries'))).toBe('false');
    expect(elements(settings).map((e) => e.name)).toContain('RestartOnFailure');
  });

  it('leaves out --env-file when there are no settings', () => {
    const { envFile: _unused, ...bare } = spec;
    expect(windowsArgs(text(child(parseXml(taskSchedulerXml(bare)), 'Actions', 'Exec', 'Arguments')))).toEqual([spec.entryPath]);
  });

  it('is written as UTF-16LE with a byte order mark and CRLF, as schtasks reads it', () => {
    const bytes = utf16le(xml);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const decoded = bytes.subarray(2).toString('utf16le');
    expect(decoded).toBe(xml.replace(/\n/g, '\r\n'));
    expect(parseXml(decoded).name).toBe('Task');
  });

  it('the Startup-folder launcher starts node minimised with cmd escapes', () => {
    const cmd = startupCmd({ nodePath: spec.nodePath, entryPath: 'C:\\100%\\main.js' });
    expect(cmd).toContain('start "Junmai" /min "C:\\Program Files\\nodejs\\node.exe" "C:\\100%%\\main.js"\r\n');
  });

  it('the env file reads back through Node\'s own --env-file parser', () => {
    expect(parseEnv(envFileText({ JUNMAI_PORT: '5200', OLLAMA_HOST: 'http://gpu box:11434/#x' }))).toEqual({ JUNMAI_PORT: '5200', OLLAMA_HOST: 'http://gpu box:11434/#x' });
  });

  it('node accepts the env file as --env-file', () => {
    const file = join(tmp, 'service.env');
    writeFileSync(file, envFileText({ JUNMAI_PORT: '5200', OLLAMA_HOST: 'http://gpu box:11434' }));
    const out = execFileSync(process.execPath, [`--env-file=${file}`, '-p', 'process.env.JUNMAI_PORT + "|" + process.env.OLLAMA_HOST'], { encoding: 'utf8' });
    expect(out.trim()).toBe('5200|http://gpu box:11434');
  });
});
