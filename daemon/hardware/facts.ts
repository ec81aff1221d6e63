/** Reads SystemFacts from the machine: systeminformation plus two things it does not know. */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GraphicsControllerFacts, SystemFacts } from './types.js';

/** Where the facts come from; tests replace any part. */
export interface FactSource {
  platform?: NodeJS.Platform;
  arch?: string;
  cpu(): Promise<{ brand: string; physicalCores: number; cores: number }>;
  mem(): Promise<{ total: number; available: number }>;
  graphics(): Promise<{ controllers: Array<GraphicsControllerFacts & { busAddress?: string }> }>;
  /** macOS only: `sysctl -n iogpu.wired_limit_mb`. */
  wiredLimitMb?(): Promise<number | null>;
  /** Linux only: amdgpu's own VRAM counters, keyed by PCI address ("03:00.0"). */
  amdVram?(): Promise<Map<string, { totalMiB: number; freeMiB: number }>>;
}

/** graphics() runs nvidia-smi, lspci or PowerShell; a wedged driver must not wedge the daemon. */
export const GRAPHICS_TIMEOUT_MS = 20_000;

export async function systeminformationSource(): Promise<FactSource> {
  const si = await import('systeminformation');
  return {
    cpu: () => si.cpu(),
    mem: () => si.mem(),
    graphics: () => si.graphics(),
    wiredLimitMb: readWiredLimitMb,
    amdVram: () => readAmdSysfsVram(),
  };
}

export async function readSystemFacts(
  source?: FactSource,
  opts: { graphicsTimeoutMs?: number } = {},
): Promise<SystemFacts> {
  const src = source ?? (await systeminformationSource());
  const platform = src.platform ?? process.platform;
  const arch = src.arch ?? process.arch;
  // cpu()/mem() fall back to node:os so a systeminformation hiccup never hides the RAM size.
  const [cpu, mem, graphics] = await Promise.all([
    src.cpu().catch(() => osCpu()),
    src.mem().catch(() => ({ total: os.totalmem(), available: os.freemem() })),
    readGraphics(src, opts.graphicsTimeoutMs ?? GRAPHICS_TIMEOUT_MS),
  ]);
  let controllers = graphics.controllers;
  if (platform === 'linux' && src.amdVram && controllers.length > 0) {
    const sysfs = await src.amdVram().catch(() => new Map<string, { totalMiB: number; freeMiB: number }>());
    controllers = controllers.map((c) => {
      const v = c.memoryTotal === undefined && c.busAddress ? sysfs.get(normalizePci(c.busAddress)) : undefined;
      return v ? { ...c, memoryTotal: v.totalMiB, memoryFree: v.freeMiB } : c;
    });
  }
  const facts: SystemFacts = {
    platform,
    arch,
    cpu: { brand: cpu.brand, physicalCores: cpu.physicalCores, cores: cpu.cores },
    mem: { total: mem.total, available: mem.available },
    graphics: {
      controllers: controllers.map(pickController),
      ...(graphics.error !== undefined ? { error: graphics.error } : {}),
    },
  };
  if (platform === 'darwin' && src.wiredLimitMb) facts.iogpuWiredLimitMb = await src.wiredLimitMb().catch(() => null);
  return facts;
}

type RawControllers = { controllers: Array<GraphicsControllerFacts & { busAddress?: string }>; error?: string };

async function readGraphics(src: FactSource, timeoutMs: number): Promise<RawControllers> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  try {
    const g = await Promise.race([src.graphics(), timeout]);
    return { controllers: Array.isArray(g?.controllers) ? g.controllers : [] };
  } catch (err) {
    return { controllers: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the fields the policy reads, so the facts stay small and loggable. */
function pickController(c: GraphicsControllerFacts): GraphicsControllerFacts {
  const out: GraphicsControllerFacts = { vendor: c.vendor ?? '', model: c.model ?? '', vram: c.vram ?? null, vramDynamic: !!c.vramDynamic };
  if (c.name) out.name = c.name;
  if (c.bus) out.bus = c.bus;
  if (typeof c.memoryTotal === 'number') out.memoryTotal = c.memoryTotal;
  if (typeof c.memoryFree === 'number') out.memoryFree = c.memoryFree;
  return out;
}

function osCpu() {
  const cpus = os.cpus();
  return { brand: cpus[0]?.model ?? 'unknown', physicalCores: cpus.length, cores: cpus.length };
}

function normalizePci(addr: string): string {
  return addr.replace(/^[0-9a-f]{4}:/i, '').toLowerCase();
}

/** A raised `iogpu.wired_limit_mb` replaces macOS's default GPU share; 0 means "default". */
function readWiredLimitMb(): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('sysctl', ['-n', 'iogpu.wired_limit_mb'], { timeout: 2000 }, (err, stdout) => {
      const n = Number.parseInt(String(stdout).trim(), 10);
      resolve(err || !Number.isFinite(n) ? null : n);
    });
  });
}

/**
 * lspci only knows a card's PCI aperture; the amdgpu driver publishes the real VRAM size and use
 * under /sys/class/drm/cardN/device (the same files Ollama reads to size ROCm GPUs).
 */
export async function readAmdSysfsVram(root = '/sys/class/drm'): Promise<Map<string, { totalMiB: number; freeMiB: number }>> {
  const out = new Map<string, { totalMiB: number; freeMiB: number }>();
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const card of entries.filter((e) => /^card\d+$/.test(e))) {
    const dev = path.join(root, card, 'device');
    try {
      const [uevent, total, used] = await Promise.all([
        readFile(path.join(dev, 'uevent'), 'utf8'),
        readFile(path.join(dev, 'mem_info_vram_total'), 'utf8'),
        readFile(path.join(dev, 'mem_info_vram_used'), 'utf8'),
      ]);
      const slot = /^PCI_SLOT_NAME=(.+)$/m.exec(uevent)?.[1];
      const t = Number(total.trim());
      const u = Number(used.trim());
      if (!slot || !Number.isFinite(t) || !Number.isFinite(u) || t <= 0) continue;
      out.set(normalizePci(slot.trim()), { totalMiB: Math.round(t / 2 ** 20), freeMiB: Math.max(0, Math.round((t - u) / 2 ** 20)) });
    } catch {
      // Not an amdgpu card (or no VRAM counters): nothing to add.
    }
  }
  return out;
}
