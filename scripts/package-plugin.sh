#!/usr/bin/env bash
# Packages the Lightroom Classic plug-in for a photographer: dist/plugin/junmai.lrplugin (the folder
# Lightroom's Plug-in Manager adds) and dist/plugin/junmai-autodev-<version>.zip holding that folder.
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(sed -nE 's/.*display = "([^"]+)".*/\1/p' junmai.lrplugin/Info.lua)"
if [ -z "$version" ]; then
  echo "could not read VERSION.display from junmai.lrplugin/Info.lua" >&2
  exit 1
fi

out="dist/plugin"
rm -rf "$out/junmai.lrplugin" "$out/junmai-autodev-$version.zip"
mkdir -p "$out/junmai.lrplugin"
# Only the plug-in's own files: no editor or Finder leftovers.
find junmai.lrplugin -maxdepth 1 -type f \( -name '*.lua' -o -name '*.txt' -o -name '*.png' \) \
  -exec cp {} "$out/junmai.lrplugin/" \;

if command -v luac5.1 >/dev/null 2>&1; then
  for f in "$out"/junmai.lrplugin/*.lua; do luac5.1 -p "$f"; done
fi

zipfile="junmai-autodev-$version.zip"
if command -v zip >/dev/null 2>&1; then
  (cd "$out" && zip -qr "$zipfile" junmai.lrplugin)
elif command -v python3 >/dev/null 2>&1; then
  (cd "$out" && python3 -m zipfile -c "$zipfile" junmai.lrplugin)
else
  echo "neither zip nor python3 is installed: $out/junmai.lrplugin is ready, but no zip was made" >&2
  exit 0
fi
echo "$out/junmai.lrplugin"
echo "$out/$zipfile"
