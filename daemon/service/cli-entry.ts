#!/usr/bin/env node
import { ServiceError } from './index.js';
import { runServiceAction, SERVICE_ACTIONS, type ServiceAction } from './run.js';

/**
 * `node dist/daemon/service/cli-entry.js install | uninstall | status [--json]`: what the checkout
 * scripts (scripts/service-install.sh) run, before `junmai` is on the PATH. `junmai service …` is the same.
 */
const [action] = process.argv.slice(2);
const json = process.argv.includes('--json');
if (!SERVICE_ACTIONS.includes(action as ServiceAction)) {
  console.error('usage: cli-entry.js install | uninstall | status [--json]');
  process.exit(2);
}
runServiceAction(action as ServiceAction, (value, text) => console.log(json ? JSON.stringify(value, null, 2) : text)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`junmai: ${err instanceof ServiceError ? err.message : `service command failed: ${err.message}`}`);
    process.exit(1);
  },
);
