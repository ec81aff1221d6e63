import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertRunnable, removeFile, writeIfChanged } from './files.js';
import { ServiceError, type Platform, type RunResult, type ServiceOptions } from './types.js';

/** Linux: a systemd user unit. The user manager runs while the user is logged in, so the daemon starts at login. */
export const SYSTEMD_UNIT = 'junmai.service';

export interface UnitSpec {
  nodePath: string;
  entryPath: string;
  env: Record<string, string>;
}

export function systemdUnitPath(o: Pick<ServiceOptions, 'homeDir' | 'configHome'>): string {
  return join(o.configHome || join(o.homeDir, '.config'), 'systemd', 'user', SYSTEMD_UNIT);
}

// In ExecStart a quoted word takes C escapes, `%` starts a specifier and `$` a variable: all three are escaped.
const execWord = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
const envAssignment = (k: string, v: string) => `"${`${k}=${v}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;

/**
 * The unit. Restart=on-failure restarts after a crash, not after a clean stop; exit code 2 (a bad setting,
 * the port taken) is not retried since it would fail the same way. systemd sends SIGTERM to stop and
 * SIGKILL after TimeoutStopSec, longer than the daemon's own 10 s shutdown bound.
 */
export function systemdUnit(spec: UnitSpec): string {
  const env = Object.entries(spec.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `Environment=${envAssignment(k, v)}\n`)
    .join('');
  return `[Unit]
Description=Junmai AutoDev daemon (local models for Lightroom Classic)
StartLimitIntervalSec=300
StartLimitBurst=10

[Service]
Type=simple
ExecStart=${execWord(spec.nodePath)} ${execWord(spec.entryPath)}
${env}Restart=on-failure
RestartSec=10
RestartPreventExitStatus=2
TimeoutStopSec=20

[Install]
WantedBy=default.target
`;
}

function must(r: RunResult, what: string): void {
  if (r.code === 0) return;
  const why = (r.stderr || r.stdout).trim();
  const hint = /bus|XDG_RUNTIME_DIR/i.test(why) ? ' There is no systemd user session here; run this from your desktop session, logged in as yourself.' : '';
  throw new ServiceError(`systemctl --user ${what} failed: ${why}.${hint}`);
}

export const systemd: Platform = {
  mechanism: 'systemd',

  async install(o) {
    assertRunnable(o);
    const path = systemdUnitPath(o);
    const ctl = (...args: string[]) => o.run('systemctl', ['--user', ...args]);
    const changed = writeIfChanged(path, systemdUnit(o));
    const enabled = (await ctl('is-enabled', SYSTEMD_UNIT)).code === 0;
    const active = (await ctl('is-active', SYSTEMD_UNIT)).code === 0;
    if (!changed && enabled && active) {
      return { mechanism: 'systemd', files: [path], changed: false, message: `The user unit ${SYSTEMD_UNIT} is already installed and running.` };
    }
    // Also when the file is unchanged: an earlier install may have written it and failed before systemd read it.
    must(await ctl('daemon-reload'), 'daemon-reload');
    if (!enabled || !active) must(await ctl('enable', '--now', SYSTEMD_UNIT), 'enable --now');
    // A daemon running under the old unit keeps its old command line until restarted.
    if (changed && active) must(await ctl('restart', SYSTEMD_UNIT), 'restart');
    return { mechanism: 'systemd', files: [path], changed: true, message: `Installed the user unit ${SYSTEMD_UNIT}; it runs now and at every login.` };
  },

  async uninstall(o) {
    const path = systemdUnitPath(o);
    if (!existsSync(path)) return { mechanism: null, removed: [], message: `The user unit ${SYSTEMD_UNIT} was not installed.` };
    const ctl = (...args: string[]) => o.run('systemctl', ['--user', ...args]);
    // Stops the daemon (SIGTERM) and removes the default.target link; harmless if already stopped.
    await ctl('disable', '--now', SYSTEMD_UNIT);
    removeFile(path);
    await ctl('daemon-reload');
    await ctl('reset-failed', SYSTEMD_UNIT);
    return { mechanism: 'systemd', removed: [path], message: `Removed the user unit ${SYSTEMD_UNIT}.` };
  },

  async status(o) {
    const path = systemdUnitPath(o);
    const installed = existsSync(path);
    const enabled = installed ? (await o.run('systemctl', ['--user', 'is-enabled', SYSTEMD_UNIT])).code === 0 : false;
    return { mechanism: installed ? 'systemd' : null, installed, enabled, files: installed ? [path] : [], problems: [] };
  },
};
