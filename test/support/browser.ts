import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's package installs it here; CHROMIUM_PATH names another. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Where the browser tests leave their screenshots (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/**
 * Debian's headless Chromium, driven over the DevTools protocol. A machine without it fails here,
 * saying how to get it, instead of skipping: `npm test` (scripts/test.sh) installs it when missing.
 */
export async function launchChromium(): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path) {
    throw new Error(`Chromium was not found (looked for ${CANDIDATES.join(', ')}; set CHROMIUM_PATH for another). Install it with \`apt-get install -y chromium\`, as scripts/test.sh does.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: path, headless: true });
}

/** Every console message of level error the page logs, including the browser's own (a CSP violation, a failed load). */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}
