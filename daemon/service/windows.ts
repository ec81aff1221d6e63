import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertRunnable, removeDirIfEmpty, removeFile, writeIfChanged, xmlEscape } from './files.js';
import { ServiceError, type Platform, type ServiceOptions } from './types.js';

/**
 * Windows: a Task Scheduler task started at this user's logon, in the user's session, without
 * elevation. When Task Scheduler refuses (policy), a launcher in the Startup folder does the same job.
 */
export const TASK_NAME = 'Junmai';

export interface TaskSpec {
  user: string;
  nodePath: string;
  entryPath: string;
  /** Node's --env-file: a task has no environment of its own. */
  envFile?: string;
}

export function windowsPaths(o: Pick<ServiceOptions, 'homeDir' | 'localAppData' | 'appData'>) {
  const local = o.localAppData || join(o.homeDir, 'AppData', 'Local');
  const roaming = o.appData || join(o.homeDir, 'AppData', 'Roaming');
  const dir = join(local, 'junmai', 'service');
  return {
    dir,
    taskXml: join(dir, 'junmai-task.xml'),
    envFile: join(dir, 'service.env'),
    startupCmd: join(roaming, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup', 'Junmai.cmd'),
  };
}

const quoteArg = (s: string) => `"${s}"`;
const nodeArgs = (spec: TaskSpec) => [...(spec.envFile ? [`--env-file=${spec.envFile}`] : []), spec.entryPath];

/**
 * Task XML (schema 1.2). ExecutionTimeLimit PT0S: the default would stop the daemon after 72 hours.
 * Batteries must not stop a laptop's daemon. RestartOnFailure restarts it after a crash.
 */
export function taskSchedulerXml(spec: TaskSpec): string {
  const user = xmlEscape(spec.user);
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Junmai AutoDev daemon: local models for Lightroom Classic. Installed by "junmai service install".</Description>
    <URI>\\${TASK_NAME}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>${user}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>${user}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>false</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlEscape(spec.nodePath)}</Command>
      <Arguments>${xmlEscape(nodeArgs(spec).map(quoteArg).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}

/** schtasks reads task XML as UTF-16 (what it writes itself with /Query /XML): little-endian with a byte order mark. */
export function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf16le')]);
}

/** The fallback launcher. `%` is doubled because cmd expands it even inside quotes; /min keeps the console out of the way. */
export function startupCmd(spec: Omit<TaskSpec, 'user'>): string {
  const q = (s: string) => `"${s.replace(/%/g, '%%')}"`;
  return ['@echo off', 'rem Junmai AutoDev daemon, started at logon. Installed by "junmai service install".', `start "Junmai" /min ${q(spec.nodePath)} ${nodeArgs({ ...spec, user: '' }).map(q).join(' ')}`, ''].join('\r\n');
}

/** Node's --env-file format; values are double-quoted so spaces and `#` survive. */
export function envFileText(env: Record<string, string>): string {
  return Object.entries(env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"\n`)
    .join('');
}

/** What install registers for these options; status compares it with what is installed. */
export function taskSpecFor(o: ServiceOptions, user: string): TaskSpec {
  const envFile = Object.keys(o.env).length > 0 ? windowsPaths(o).envFile : undefined;
  return { user, nodePath: o.nodePath, entryPath: o.entryPath, ...(envFile ? { envFile } : {}) };
}

const userOf = (o: ServiceOptions) => {
  if (!o.user) throw new ServiceError('The Windows user name (DOMAIN\\name) is needed for the logon trigger.');
  return o.user;
};

async function taskExists(o: ServiceOptions): Promise<boolean> {
  return (await o.run('schtasks', ['/Query', '/TN', TASK_NAME])).code === 0;
}

export const windows: Platform = {
  mechanism: 'task-scheduler',

  async install(o) {
    assertRunnable(o);
    const p = windowsPaths(o);
    const hasEnv = Object.keys(o.env).length > 0;
    const envChanged = hasEnv ? writeIfChanged(p.envFile, envFileText(o.env)) : removeFile(p.envFile);
    const spec = taskSpecFor(o, userOf(o));
    // The XML is kept: it is what we registered, so a repeated install can see that nothing changed.
    const xmlChanged = writeIfChanged(p.taskXml, utf16le(taskSchedulerXml(spec)));
    const files = [p.taskXml, ...(hasEnv ? [p.envFile] : [])];
    const exists = await taskExists(o);
    if (exists && !xmlChanged && !envChanged) {
      return { mechanism: 'task-scheduler', files, changed: false, message: `The scheduled task ${TASK_NAME} is already installed.` };
    }
    const created = await o.run('schtasks', ['/Create', '/XML', p.taskXml, '/TN', TASK_NAME, '/F']);
    if (created.code !== 0) {
      removeFile(p.taskXml);
      writeIfChanged(p.startupCmd, startupCmd(spec));
      return {
        mechanism: 'startup-folder',
        files: [p.startupCmd, ...(hasEnv ? [p.envFile] : [])],
        changed: true,
        message: `Task Scheduler refused the task (${(created.stderr || created.stdout).trim()}); installed ${p.startupCmd} instead, which starts the daemon at your next logon.`,
      };
    }
    removeFile(p.startupCmd);
    // A daemon started from the old definition keeps running it: end it so the new one starts. /End is a hard stop on Windows.
    if (exists) await o.run('schtasks', ['/End', '/TN', TASK_NAME]);
    await o.run('schtasks', ['/Run', '/TN', TASK_NAME]);
    return { mechanism: 'task-scheduler', files, changed: true, message: `Installed the scheduled task ${TASK_NAME}; it runs now and at every logon.` };
  },

  async uninstall(o) {
    const p = windowsPaths(o);
    let mechanism: 'task-scheduler' | 'startup-folder' | null = null;
    if (await taskExists(o)) {
      await o.run('schtasks', ['/End', '/TN', TASK_NAME]);
      await o.run('schtasks', ['/Delete', '/TN', TASK_NAME, '/F']);
      mechanism = 'task-scheduler';
    }
    const removed = [p.taskXml, p.envFile, p.startupCmd].filter(removeFile);
    if (!mechanism && removed.includes(p.startupCmd)) mechanism = 'startup-folder';
    removeDirIfEmpty(p.dir);
    removeDirIfEmpty(join(p.dir, '..'));
    return { mechanism, removed, message: mechanism ? `Removed the ${mechanism === 'startup-folder' ? 'Startup folder launcher' : `scheduled task ${TASK_NAME}`}.` : 'Junmai was not installed as a service.' };
  },

  async status(o) {
    const p = windowsPaths(o);
    if (await taskExists(o)) return { mechanism: 'task-scheduler', installed: true, enabled: true, files: [p.taskXml].filter((f) => existsSync(f)), problems: [] };
    const installed = existsSync(p.startupCmd);
    return { mechanism: installed ? 'startup-folder' : null, installed, enabled: installed ? true : false, files: installed ? [p.startupCmd] : [], problems: [] };
  },
};
