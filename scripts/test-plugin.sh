#!/usr/bin/env bash
# Lints and tests the Lightroom Classic plug-in (junmai.lrplugin) under Lua 5.1, as Lightroom runs it.
# Installs what it needs from Debian when missing, so it works on a clean machine (CI runs as root).
# The end-to-end specs start real daemons with node, so the npm dependencies must be installed too.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1)
command -v busted >/dev/null 2>&1 || missing+=(lua-busted)
command -v luacheck >/dev/null 2>&1 || missing+=(lua-check)
if command -v lua5.1 >/dev/null 2>&1; then
  lua5.1 -e 'require "socket.http"; require "ltn12"' >/dev/null 2>&1 || missing+=(lua-socket)
  lua5.1 -e 'require "dkjson"' >/dev/null 2>&1 || missing+=(lua-dkjson)
else
  missing+=(lua-socket lua-dkjson)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules/tsx ]; then
  echo "== npm ci (the specs run the real daemon)"
  npm ci --no-audit --no-fund
fi

echo "== luacheck"
luacheck --no-color -q junmai.lrplugin test/plugin

echo "== busted (Lua 5.1)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# .busted sets lua = "lua5.1", so busted re-runs itself under 5.1 whatever `lua` points to.
busted 2>&1 | tee "$log"
status="${PIPESTATUS[0]}"
set -e

summary="$(grep -aE '[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$log" | tail -n 1 || true)"
if [ -z "$summary" ]; then
  echo "busted printed no summary" >&2
  exit 1
fi
read -r passed failed errors pending < <(echo "$summary" | sed -E 's/[^0-9]*([0-9]+) successes? \/ ([0-9]+) failures? \/ ([0-9]+) errors? \/ ([0-9]+) pending.*/\1 \2 \3 \4/')
if [ "$pending" -gt 0 ]; then
  echo "$((passed)) passed, $((failed + errors)) failed, $((pending)) skipped"
else
  echo "$((passed)) passed, $((failed + errors)) failed"
fi
if [ "$status" -ne 0 ] || [ "$((failed + errors))" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
