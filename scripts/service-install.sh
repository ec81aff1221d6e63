#!/usr/bin/env bash
# Installs the Junmai daemon from this checkout as a service of the current user that starts at login
# (a LaunchAgent on macOS, a systemd user unit on Linux) and starts it now. Run it again after an
# update or a change of settings; it is idempotent. Settings exported in this shell (JUNMAI_PORT,
# JUNMAI_HOST, JUNMAI_DATA_DIR, JUNMAI_TOKEN, OLLAMA_HOST, …) are carried into the service.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "junmai: Node.js 20.19 or newer is needed (https://nodejs.org)." >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "junmai: Node.js $(node --version) is too old; 20.19 or newer is needed." >&2
  exit 1
fi

# Same rule as scripts/test.sh: npm ci only when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== build"
npm run --silent build

echo "== service install"
# The service runs this node binary by its absolute path: a later Node upgrade needs this script run again.
node dist/daemon/service/cli-entry.js install
