import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../daemon/config.js';
import { startDaemon, type Daemon, type DaemonOverrides } from '../../daemon/daemon.js';
import type { HardwareInfo, HardwareProbe } from '../../daemon/hardware/probe.js';
import { startOllamaEmulator } from '../emulator/index.js';
import { http, type HttpOptions } from './http.js';

const GB = 1024 ** 3;

/** A fixed machine for deterministic fit and recommendation answers: 8 GB NVIDIA GPU, 32 GB RAM. */
export function fixedHardware(gpuGb = 8, offloadGb = 24): HardwareProbe & { info: HardwareInfo; expire(): void } {
  const info: HardwareInfo = {
    platform: 'linux', arch: 'x64', cpu: { brand: 'Test CPU', physical_cores: 8, cores: 16 },
    ram_total_bytes: 32 * GB, ram_available_bytes: 28 * GB,
    gpus: gpuGb > 0 ? [{ vendor: 'NVIDIA', model: 'Test GPU', vram_total_bytes: gpuGb * GB, vram_free_bytes: gpuGb * GB, dedicated: true }] : [],
    memory_source: gpuGb > 0 ? 'dedicated_vram' : 'system_ram',
    gpu_memory_bytes: gpuGb * GB, offload_memory_bytes: offloadGb * GB, notes: [], probed_at: new Date(0).toISOString(),
  };
  // As SystemHardwareProbe: one answer, fresh until its cache expires, then a new one. A test changes
  // `info` and calls expire() to stand for the machine changing and the cache's minute passing.
  let kept: HardwareInfo | undefined;
  return {
    info,
    fresh: () => kept,
    probe: async () => (kept ??= { ...info }),
    expire: () => {
      kept = undefined;
    },
  };
}

export type Emulator = Awaited<ReturnType<typeof startOllamaEmulator>>;

export interface TestDaemon {
  daemon: Daemon;
  emu: Emulator;
  dataDir: string;
  url: string;
  req(method: string, path: string, o?: HttpOptions): ReturnType<typeof http>;
  /** Stops the daemon and starts a new one on the same data dir and emulator (and port, with samePort: as a browser tab sees a restart). */
  restart(o?: { samePort?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface TestDaemonOptions extends DaemonOverrides {
  installed?: string[];
  env?: Record<string, string>;
  emulator?: Parameters<typeof startOllamaEmulator>[0];
  dataDir?: string;
}

/** A real daemon on a random loopback port with a real SQLite file, talking to the Ollama emulator. */
export async function startTestDaemon(o: TestDaemonOptions = {}): Promise<TestDaemon> {
  const emu = await startOllamaEmulator({ installed: o.installed ?? [], ...(o.emulator ?? {}) });
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'junmai-test-'));
  const config = () =>
    loadConfig({ JUNMAI_PORT: '1', JUNMAI_DATA_DIR: dataDir, OLLAMA_HOST: emu.url, JUNMAI_OLLAMA_TIMEOUT_MS: '2000', ...(o.env ?? {}) });
  const start = async (port = 0) => startDaemon({ ...config(), port }, { hardware: o.hardware ?? fixedHardware(), ...o });
  let daemon = await start();
  const t: TestDaemon = {
    daemon, emu, dataDir,
    get url() { return daemon.url; },
    req: (method, path, opts) => http(daemon.url, method, path, opts),
    async restart(r) {
      const port = r?.samePort ? Number(new URL(daemon.url).port) : 0;
      await daemon.close();
      daemon = await start(port);
      t.daemon = daemon;
    },
    async close() {
      await daemon.close();
      await emu.close();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
