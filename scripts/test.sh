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

# The dashboard's browser tests drive Debian's headless Chromium (test/support/browser.ts), installed when missing.
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
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

# The current LTS, Node 24, too (JUNMAI_TEST_NODE24=0 skips it on a developer's machine).
node24=0
run24=1
[ "${JUNMAI_TEST_NODE24:-1}" = 0 ] && run24=0
if [ "$run24" = 1 ]; then
  echo "== daemon tests again on Node 24"
  # Its failures are counted in the last line like the others' (a run that cannot start counts as one), and fail npm test.
  started=$(date +%s)
  bash scripts/test-node24.sh "$work/vitest-node24.json" || node24=$?
  echo "(Node 24 run: $(($(date +%s) - started)) s)"
fi

counts() {
  node -e 'try { const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests) } catch { console.log(0, 1, 0) }' "$1"
}
read -r vp vf vs < <(counts "$work/vitest.json")
np=0 nf=0 ns=0
if [ "$run24" = 1 ]; then read -r np nf ns < <(counts "$work/vitest-node24.json"); fi
read -r lp lf < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$work/plugin.log" | tail -n 1)
echo "daemon ${vp} passed on Node $(node -p 'process.versions.node')$([ "$run24" = 1 ] && echo ", ${np} on Node 24"); plugin ${lp} passed"
echo "$((vp + np + lp)) passed, $((vf + nf + lf)) failed, $((vs + ns)) skipped"
exit "$node24"
