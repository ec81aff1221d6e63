#!/usr/bin/env node
// `npm run build` compiles daemon/ into dist/. With --if-stale (what `npm start` runs first) it compiles
// only when a source is newer than the last successful build: tsc costs seconds even with nothing to do.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'dist', '.build-stamp');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'].map((f) => join(root, f));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  const configs = Math.max(...CONFIGS.map((f) => statSync(f).mtimeMs));
  return Math.max(configs, newestSource(join(root, 'daemon'))) > built;
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

// The stamp gets the time the build began: a file saved while tsc runs is newer, so the next start builds again.
const began = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(dirname(STAMP), { recursive: true });
writeFileSync(STAMP, `${began.toISOString()}\n`);
utimesSync(STAMP, began, began);
