import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonUrl } from '../config.js';
import { isProcessAlive, readLock } from '../lock.js';
import { delay } from './files.js';
import { launchd, launchAgentPlist, launchdPaths } from './launchd.js';
import { systemd, systemdUnit, systemdUnitPath } from './systemd.js';
import { ServiceError, type InstallResult, type Platform, type Runner, type ServiceOptions, type ServiceStatus, type UninstallResult } from './types.js';
import { taskSchedulerXml, taskSpecFor, utf16le, windows, windowsPaths } from './windows.js';

/**
 * `junmai service install | uninstall | status`: the daemon as a per-user service that starts at login
 * (launchd on macOS, systemd --user on Linux, Task Scheduler on Windows). Plain functions over
 * ServiceOptions; `defaultServiceOptions()` fills them in for this machine.
 */
export { ServiceError } from './types.js';
export type { InstallResult, Mechanism, Runner, RunResult, ServiceOptions, ServiceStatus, UninstallResult } from './types.js';
export { LAUNCHD_LABEL, launchAgentPlist, launchdPaths } from './launchd.js';
export { SYSTEMD_UNIT, systemdUnit, systemdUnitPath } from './systemd.js';
export { TASK_NAME, envFileText, startupCmd, taskSchedulerXml, windowsPaths } from './windows.js';

function platformOf(o: ServiceOptions): Platform {
  switch (o.platform) {
    case 'darwin':
      return launchd;
    case 'linux':
      return systemd;
    case 'win32':
      return windows;
    default:
      throw new ServiceError(`Installing Junmai as a service is not supported on ${o.platform}; start it with "npm start" instead.`);
  }
}

function checkEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ServiceError(`"${k}" is not a valid environment variable name.`);
    if (/[\u0000-\u001f"]/.test(v)) throw new ServiceError(`The value of ${k} contains a quote or a control character, which a service definition cannot carry.`);
  }
}

/** Idempotent: a second install with the same options changes nothing and leaves a running daemon alone. */
export async function installService(o: ServiceOptions): Promise<InstallResult> {
  checkEnv(o.env);
  return platformOf(o).install(o);
}

/** Stops the daemon and removes every file install wrote. The data dir (database, logs) stays. */
export async function uninstallService(o: ServiceOptions): Promise<UninstallResult> {
  return platformOf(o).uninstall(o);
}

export async function serviceStatus(o: ServiceOptions): Promise<ServiceStatus> {
  const base = await platformOf(o).status(o);
  const dataDir = o.dataDir ?? o.env.JUNMAI_DATA_DIR ?? defaultDataDir(o);
  const lock = readLock(dataDir);
  const live = lock && isProcessAlive(lock.pid) ? lock : undefined;
  const url = live?.url ?? configuredUrl(o.env);
  const running = await (o.probe ?? probeHealth)(url);
  const problems = [...base.problems];
  // Also catches a Node.js upgrade that removed the binary the service names (nvm, Homebrew).
  if (base.installed && expectedDefinitionDiffers(o)) {
    problems.push('The installed service differs from this installation (another checkout, Node.js or settings); run "junmai service install" to update it.');
  }
  if (base.installed && base.enabled === false) problems.push('The service file is there but the service manager has not loaded it; run "junmai service install" again.');
  if (base.installed && base.enabled && !running) problems.push(`The service is installed but the daemon does not answer at ${url}.`);
  return { ...base, running, url, pid: running && live ? live.pid : null, problems };
}

/** After an install the daemon needs a moment to start: polls the status until it answers or the time is up. */
export async function waitUntilRunning(o: ServiceOptions, timeoutMs = 15_000): Promise<ServiceStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await serviceStatus(o);
    if (s.running || Date.now() >= deadline) return s;
    await (o.sleep ?? delay)(500);
  }
}

/** Compares what is installed with what install would write now (each platform keeps the definition it registered). */
function expectedDefinitionDiffers(o: ServiceOptions): boolean {
  const read = (path: string, text: string) => existsSync(path) && readText(path) !== text;
  if (o.platform === 'darwin') {
    const p = launchdPaths(o.homeDir);
    return read(p.plist, launchAgentPlist({ ...o, stdoutPath: p.stdout, stderrPath: p.stderr }));
  }
  if (o.platform === 'linux') return read(systemdUnitPath(o), systemdUnit(o));
  const xmlPath = windowsPaths(o).taskXml;
  return existsSync(xmlPath) && !readFileSync(xmlPath).equals(utf16le(taskSchedulerXml(taskSpecFor(o, o.user ?? ''))));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Mirrors the daemon's default (env-paths), but from `homeDir` so tests and other users' homes work. */
export function defaultDataDir(o: Pick<ServiceOptions, 'platform' | 'homeDir' | 'env' | 'localAppData'>): string {
  if (o.platform === 'darwin') return join(o.homeDir, 'Library', 'Application Support', 'junmai');
  if (o.platform === 'win32') return join(o.localAppData || join(o.homeDir, 'AppData', 'Local'), 'junmai', 'Data');
  return join(o.env.XDG_DATA_HOME || join(o.homeDir, '.local', 'share'), 'junmai');
}

function configuredUrl(env: Record<string, string>): string {
  return daemonUrl(env.JUNMAI_HOST || '127.0.0.1', env.JUNMAI_PORT || '5100');
}

/** Any HTTP answer counts (a 401 from a token-protected daemon is still a running daemon). */
export async function probeHealth(url: string, timeoutMs = 1500): Promise<boolean> {
  try {
    await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/** The settings a service should carry over from the installing shell. */
export function serviceEnvFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && v !== '' && (k.startsWith('JUNMAI_') || k === 'OLLAMA_HOST')) out[k] = v;
  }
  return out;
}

export const execRunner: Runner = (cmd, args) =>
  new Promise((done) => {
    execFile(cmd, args, { windowsHide: true, timeout: 60_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : 1;
      done({ code, stdout: String(stdout), stderr: String(stderr) || (e && typeof e.code === 'string' ? e.message : '') });
    });
  });

/**
 * Options for this machine and this installation: the running node, the built entry next to this
 * module (dist/daemon/main.js; from a source checkout, the repository's dist/), the shell's settings.
 */
export function defaultServiceOptions(env: NodeJS.ProcessEnv = process.env): ServiceOptions {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideUs = resolve(here, '..', 'main.js');
  const entryPath = existsSync(besideUs) ? besideUs : resolve(here, '..', '..', 'dist', 'daemon', 'main.js');
  const info = userInfo();
  return {
    platform: process.platform,
    homeDir: homedir(),
    nodePath: process.execPath,
    entryPath,
    env: serviceEnvFrom(env),
    run: execRunner,
    uid: info.uid,
    user: env.USERDOMAIN ? `${env.USERDOMAIN}\\${info.username}` : info.username,
    ...(env.XDG_CONFIG_HOME ? { configHome: env.XDG_CONFIG_HOME } : {}),
    ...(env.LOCALAPPDATA ? { localAppData: env.LOCALAPPDATA } : {}),
    ...(env.APPDATA ? { appData: env.APPDATA } : {}),
  };
}
