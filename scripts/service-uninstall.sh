#!/usr/bin/env bash
# Stops the Junmai daemon and removes the login service that scripts/service-install.sh set up.
# The data dir (database, logs) is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/daemon/service/cli-entry.js ]; then
  if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund
  fi
  npm run --silent build
fi
node dist/daemon/service/cli-entry.js uninstall
