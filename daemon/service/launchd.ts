import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertRunnable, delay, removeDirIfEmpty, removeFile, writeIfChanged, xmlEscape } from './files.js';
import { ServiceError, type Platform, type ServiceOptions } from './types.js';

/** macOS: a per-user LaunchAgent, started by launchd at login and after a crash. */
export const LAUNCHD_LABEL = 'com.junmai.autodev';

export interface LaunchAgentSpec {
  nodePath: string;
  entryPath: string;
  env: Record<string, string>;
  stdoutPath: string;
  stderrPath: string;
}

export function launchdPaths(homeDir: string) {
  const logs = join(homeDir, 'Library', 'Logs', 'Junmai');
  return {
    plist: join(homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
    logDir: logs,
    stdout: join(logs, 'daemon.out.log'),
    stderr: join(logs, 'daemon.err.log'),
  };
}

/**
 * The property list. KeepAlive {SuccessfulExit: false} makes launchd start the daemon again only when it
 * exits non-zero (a crash), not after a clean stop; RunAtLoad starts it at login. launchd sends SIGTERM on
 * stop and SIGKILL after ExitTimeOut, longer than the daemon's own 10 s shutdown bound.
 */
export function launchAgentPlist(spec: LaunchAgentSpec): string {
  const s = (v: string) => `<string>${xmlEscape(v)}</string>`;
  const env = Object.entries(spec.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `\t\t<key>${xmlEscape(k)}</key>\n\t\t${s(v)}\n`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>Label</key>
\t${s(LAUNCHD_LABEL)}
\t<key>ProgramArguments</key>
\t<array>
\t\t${s(spec.nodePath)}
\t\t${s(spec.entryPath)}
\t</array>
\t<key>RunAtLoad</key>
\t<true/>
\t<key>KeepAlive</key>
\t<dict>
\t\t<key>SuccessfulExit</key>
\t\t<false/>
\t</dict>
\t<key>ExitTimeOut</key>
\t<integer>20</integer>
\t<key>StandardOutPath</key>
\t${s(spec.stdoutPath)}
\t<key>StandardErrorPath</key>
\t${s(spec.stderrPath)}
\t<key>EnvironmentVariables</key>
\t<dict>
${env}\t</dict>
</dict>
</plist>
`;
}

const uidOf = (o: ServiceOptions) => {
  if (o.uid === undefined) throw new ServiceError('The user id is needed for launchctl (gui/<uid>).');
  return o.uid;
};

async function isLoaded(o: ServiceOptions): Promise<boolean> {
  return (await o.run('launchctl', ['print', `gui/${uidOf(o)}/${LAUNCHD_LABEL}`])).code === 0;
}

export const launchd: Platform = {
  mechanism: 'launchd',

  async install(o) {
    assertRunnable(o);
    const p = launchdPaths(o.homeDir);
    // launchd does not create the directory of StandardOutPath; without it the job fails to spawn.
    mkdirSync(p.logDir, { recursive: true });
    const changed = writeIfChanged(p.plist, launchAgentPlist({ ...o, stdoutPath: p.stdout, stderrPath: p.stderr }));
    const loaded = await isLoaded(o);
    const files = [p.plist];
    if (loaded && !changed) return { mechanism: 'launchd', files, changed: false, message: 'The LaunchAgent is already installed and loaded.' };
    const domain = `gui/${uidOf(o)}`;
    // A changed plist takes effect only when the job is unloaded and loaded again (this restarts the daemon).
    if (loaded) await o.run('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
    // A job the user once disabled would refuse to load.
    await o.run('launchctl', ['enable', `${domain}/${LAUNCHD_LABEL}`]);
    // Right after a bootout launchd can still be tearing the old job down and answer "Input/output error": retry.
    let last = await o.run('launchctl', ['bootstrap', domain, p.plist]);
    for (let i = 0; last.code !== 0 && i < 3; i++) {
      await (o.sleep ?? delay)(1000);
      last = await o.run('launchctl', ['bootstrap', domain, p.plist]);
    }
    if (last.code !== 0) {
      throw new ServiceError(`launchctl could not load ${p.plist}: ${(last.stderr || last.stdout).trim()} (log in to the Mac's desktop session and try again).`);
    }
    return { mechanism: 'launchd', files, changed: true, message: `Installed the LaunchAgent ${LAUNCHD_LABEL}; it starts now and at every login.` };
  },

  async uninstall(o) {
    const p = launchdPaths(o.homeDir);
    // bootout stops the daemon (SIGTERM) and forgets the job; it fails harmlessly when the job is not loaded.
    if (await isLoaded(o)) await o.run('launchctl', ['bootout', `gui/${uidOf(o)}/${LAUNCHD_LABEL}`]);
    const removed = [p.plist, p.stdout, p.stderr].filter(removeFile);
    removeDirIfEmpty(p.logDir);
    return {
      mechanism: removed.includes(p.plist) ? 'launchd' : null,
      removed,
      message: removed.includes(p.plist) ? `Removed the LaunchAgent ${LAUNCHD_LABEL}.` : 'The LaunchAgent was not installed.',
    };
  },

  async status(o) {
    const p = launchdPaths(o.homeDir);
    const installed = existsSync(p.plist);
    return { mechanism: installed ? 'launchd' : null, installed, enabled: installed ? await isLoaded(o) : false, files: installed ? [p.plist] : [], problems: [] };
  },
};
