#!/usr/bin/env bash
# README's one test command (`npm test`): installs what the tests need, then runs them all and ends
# with one line counting every test of both suites.
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

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== daemon tests (vitest, with the reliability suite in test/faults)"
npx vitest run --reporter=default --reporter=json --outputFile="$work/vitest.json"

echo "== Lightroom plug-in (luacheck + busted under Lua 5.1)"
bash scripts/test-plugin.sh | tee "$work/plugin.log"

read -r vp vf vs < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$work/vitest.json")
read -r lp lf < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$work/plugin.log" | tail -n 1)
echo "daemon ${vp} passed, plugin ${lp} passed"
echo "$((vp + lp)) passed, $((vf + lf)) failed, ${vs} skipped"
