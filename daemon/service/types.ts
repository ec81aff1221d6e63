/** What the service modules share. Everything that touches the machine comes in through ServiceOptions, so tests can substitute it. */

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell and never throws: a missing program is code 127 with the reason in stderr. */
export type Runner = (cmd: string, args: string[]) => Promise<RunResult>;

export type Mechanism = 'launchd' | 'systemd' | 'task-scheduler' | 'startup-folder';

export interface ServiceOptions {
  platform: NodeJS.Platform;
  homeDir: string;
  /** Absolute path of the node binary the service runs (process.execPath for the installing one). */
  nodePath: string;
  /** Absolute path of the built daemon entry, dist/daemon/main.js. */
  entryPath: string;
  /** Settings baked into the service (JUNMAI_*, OLLAMA_HOST): a service does not see the installing shell's environment. */
  env: Record<string, string>;
  run: Runner;
  /** macOS: the launchctl domain is gui/<uid>. */
  uid?: number;
  /** Windows: DOMAIN\name, the user whose logon starts the task. */
  user?: string;
  /** Linux: $XDG_CONFIG_HOME when set (systemd looks there instead of ~/.config). */
  configHome?: string;
  /** Windows: %LOCALAPPDATA% and %APPDATA%. */
  localAppData?: string;
  appData?: string;
  /** Where the daemon keeps daemon.lock; by default from env and the OS, as the daemon itself decides. */
  dataDir?: string;
  /** Does GET <url>/api/health answer? Injected by tests; by default a real request with a short deadline. */
  probe?: (url: string) => Promise<boolean>;
  /** Pause between retries (launchctl bootstrap right after bootout); injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface InstallResult {
  mechanism: Mechanism;
  /** Files the service consists of. */
  files: string[];
  /** False when everything was already installed as asked and nothing was touched. */
  changed: boolean;
  message: string;
}

export interface UninstallResult {
  mechanism: Mechanism | null;
  removed: string[];
  message: string;
}

export interface ServiceStatus {
  mechanism: Mechanism | null;
  installed: boolean;
  /** Registered with the service manager (loaded, enabled, task present); null when not asked. */
  enabled: boolean | null;
  /** GET /api/health answered at `url`. */
  running: boolean;
  url: string;
  pid: number | null;
  files: string[];
  /** Things the user should fix, each a sentence (e.g. the node binary the service names is gone). */
  problems: string[];
}

/** The platform part of each operation; index.ts adds the parts common to all (health, problems). */
export interface Platform {
  mechanism: Mechanism;
  install(o: ServiceOptions): Promise<InstallResult>;
  uninstall(o: ServiceOptions): Promise<UninstallResult>;
  status(o: ServiceOptions): Promise<Pick<ServiceStatus, 'mechanism' | 'installed' | 'enabled' | 'files' | 'problems'>>;
}

export class ServiceError extends Error {
  override name = 'ServiceError';
}
