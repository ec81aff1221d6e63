#!/usr/bin/env bash
# The daemon tests (vitest) once more on the current Node LTS, 24, taken from npm's `node` package so
# CI needs nothing but the npm registry. Usage: scripts/test-node24.sh OUTPUT.json [vitest args…]
#
# Everything but better-sqlite3 is plain JavaScript, so the tests run in a copy of the checkout with a
# copy of node_modules in which only better-sqlite3's native binary is rebuilt for Node 24's ABI.
# Its prebuilt binaries live on GitHub, which CI may not reach; the headers come from the registry's
# node-<platform>-<arch> package instead, and the binary is kept in node_modules/.cache for reruns.
#
# The headers are 24.18.0's, the last before node_object_wrap.h began to add and remove an environment
# cleanup hook in ObjectWrap's constructor and destructor (24.19.0). better-sqlite3 12 derives from
# ObjectWrap, so a binary built against newer headers aborts (`(env) != nullptr` in
# RemoveEnvironmentCleanupHook from Statement::~Statement) when a statement is collected after the
# environment is gone; better-sqlite3 13, which fixes it, needs Node 22. The ABI (137) is the same for
# every 24.x, so this binary loads on the newest Node 24, which runs the tests.
HEADERS_VERSION="24.18.0"
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift

NODE_SPEC="node@24"
node24() { npx -y -p "$NODE_SPEC" -- "$@"; }
# npm passes its own node to scripts as npm_node_execpath; the tools below must use Node 24's.
unset npm_node_execpath npm_execpath npm_config_node_gyp

read -r version abi platform < <(node24 node -p '`${process.versions.node} ${process.versions.modules} ${process.platform}-${process.arch}`')
sqlite_version="$(node -p 'require("./node_modules/better-sqlite3/package.json").version')"
cache="node_modules/.cache/junmai-node24"
# Keyed by the ABI, not the release: every Node 24.x loads the same binary, so a new patch release costs no rebuild.
binary="$cache/better_sqlite3-${sqlite_version}-abi${abi}-${platform}-headers${HEADERS_VERSION}.node"

copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
tar --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$copy" -xf -
cp -a node_modules "$copy/node_modules"
release="$copy/node_modules/better-sqlite3/build/Release"

if [ ! -f "$binary" ]; then
  echo "building better-sqlite3 ${sqlite_version} for Node ${version} with ${HEADERS_VERSION} headers (ABI ${abi}; once, kept in ${cache})"
  headers="$(mktemp -d)"
  (cd "$headers" && npm pack --silent "node-${platform}@${HEADERS_VERSION}" >/dev/null && tar xzf ./*.tgz)
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  if ! (cd "$copy/node_modules/better-sqlite3" && npm_config_nodedir="$headers/package" node24 node "$gyp" rebuild --release --jobs=2) >"$headers/build.log" 2>&1; then
    cat "$headers/build.log"
    exit 1
  fi
  rm -rf "$headers"
  mkdir -p "$cache"
  cp "$release/better_sqlite3.node" "$binary"
else
  cp "$binary" "$release/better_sqlite3.node"
fi

cd "$copy"
node24 node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile="$out" "$@"
