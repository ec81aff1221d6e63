import { spawn } from 'node:child_process';

/** Shows an address in the default browser; injected so that tests see the call and launch nothing. */
export type Opener = (url: string) => Promise<void>;

/** The platform's own way: `open` on macOS, `start` on Windows, `xdg-open` elsewhere. Resolves once it started. */
export const systemOpener: Opener = (url) =>
  new Promise((resolve, reject) => {
    const [command, args] =
      process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true, windowsHide: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
