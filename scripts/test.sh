#!/usr/bin/env bash
# README's one test command (`npm test`): installs what the tests need, then runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci only when node_modules is missing or older than the lockfile, so a developer's rerun is quick.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit

echo "== build"
npm run --silent build

echo "== daemon tests (vitest)"
npx vitest run --reporter=default

echo "== Lightroom plug-in (luacheck + busted under Lua 5.1)"
bash scripts/test-plugin.sh
