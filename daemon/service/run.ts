import { defaultServiceOptions, installService, serviceStatus, uninstallService, waitUntilRunning, type ServiceStatus } from './index.js';

export const SERVICE_ACTIONS = ['install', 'uninstall', 'status'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

/**
 * `install | uninstall | status`, shared by `junmai service …` and the checkout scripts' entry.
 * Returns the exit code; `print` gets the JSON document or the text for people.
 */
export async function runServiceAction(action: ServiceAction, print: (value: unknown, text: string) => void): Promise<number> {
  const o = defaultServiceOptions();
  switch (action) {
    case 'install': {
      const r = await installService(o);
      // The Startup-folder fallback starts at the next logon, not now.
      const s = r.mechanism === 'startup-folder' ? undefined : await waitUntilRunning(o);
      const after = !s ? '' : s.running ? `\nThe daemon answers at ${s.url}.` : `\n${describeStatus(s)}`;
      print({ ...r, status: s }, r.message + after);
      return s && !s.running ? 1 : 0;
    }
    case 'uninstall': {
      const r = await uninstallService(o);
      print(r, r.message);
      return 0;
    }
    case 'status': {
      const s = await serviceStatus(o);
      print(s, describeStatus(s));
      return s.problems.length ? 1 : 0;
    }
  }
}

export function describeStatus(s: ServiceStatus): string {
  return [
    `installed: ${s.installed ? `yes (${s.mechanism})` : 'no'}`,
    `running:   ${s.running ? `yes${s.pid ? `, pid ${s.pid}` : ''}` : 'no'}`,
    `url:       ${s.url}`,
    ...s.problems.map((p) => `problem:   ${p}`),
  ].join('\n');
}
