import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAmdSysfsVram, type FactSource } from '../daemon/hardware/facts.js';
import {
  hardwareFromFacts,
  readSystemFacts,
  SystemHardwareProbe,
  type MemorySource,
  type SystemFacts,
} from '../daemon/hardware/probe.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const reserve = (total: number) => Math.max(2 * GiB, Math.floor(total * 0.2));

// Recorded shapes: what systeminformation 5 returns on each machine (vram/memory* in MiB).
const fixtures: Record<string, SystemFacts> = {
  winRtx4070: {
    platform: 'win32',
    arch: 'x64',
    cpu: { brand: 'Core™ i7-13700KF', physicalCores: 16, cores: 24 },
    mem: { total: 34_185_007_104, available: 21_474_836_480 },
    graphics: {
      controllers: [
        // Windows row merged with nvidia-smi: memoryTotal replaced vram and cleared vramDynamic.
        { vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 4070', name: 'NVIDIA GeForce RTX 4070', bus: 'PCI', vram: 12282, vramDynamic: false, memoryTotal: 12282, memoryFree: 10913 },
      ],
    },
  },
  linux2x3090: {
    platform: 'linux',
    arch: 'x64',
    cpu: { brand: 'Ryzen Threadripper PRO 5975WX 32-Cores', physicalCores: 32, cores: 64 },
    mem: { total: 270_332_420_096, available: 251_000_000_000 },
    graphics: {
      controllers: [
        { vendor: 'ASPEED Technology, Inc.', model: 'ASPEED Graphics Family', bus: 'Onboard', vram: 64, vramDynamic: false },
        { vendor: 'NVIDIA Corporation', model: 'GA102 [GeForce RTX 3090]', name: 'NVIDIA GeForce RTX 3090', bus: 'PCI', vram: 24576, vramDynamic: false, memoryTotal: 24576, memoryFree: 24237 },
        { vendor: 'NVIDIA Corporation', model: 'GA102 [GeForce RTX 3090]', name: 'NVIDIA GeForce RTX 3090', bus: 'PCI', vram: 24576, vramDynamic: false, memoryTotal: 24576, memoryFree: 24253 },
      ],
    },
  },
  winRx7900xtx: {
    platform: 'win32',
    arch: 'x64',
    cpu: { brand: 'Ryzen 7 7800X3D 8-Core Processor', physicalCores: 8, cores: 16 },
    mem: { total: 68_612_354_048, available: 52_000_000_000 },
    graphics: {
      controllers: [
        // vram from the registry's qwMemorySize; vramDynamic mirrors VideoMemoryType "unknown".
        { vendor: 'Advanced Micro Devices, Inc.', model: 'AMD Radeon RX 7900 XTX', bus: 'PCI', vram: 24560, vramDynamic: true },
        // The 7800X3D's own iGPU with its 512 MiB carve-out.
        { vendor: 'Advanced Micro Devices, Inc.', model: 'AMD Radeon(TM) Graphics', bus: 'PCI', vram: 512, vramDynamic: true },
      ],
    },
  },
  winRx6800xtWmiCap: {
    platform: 'win32',
    arch: 'x64',
    cpu: { brand: 'Ryzen 5 5600X 6-Core Processor', physicalCores: 6, cores: 12 },
    mem: { total: 34_292_711_424, available: 24_000_000_000 },
    graphics: {
      controllers: [{ vendor: 'Advanced Micro Devices, Inc.', model: 'AMD Radeon RX 6800 XT', bus: 'PCI', vram: 4095, vramDynamic: true }],
    },
  },
  winIrisXe: {
    platform: 'win32',
    arch: 'x64',
    cpu: { brand: 'Core™ i7-1165G7', physicalCores: 4, cores: 8 },
    mem: { total: 16_947_490_816, available: 7_812_000_000 },
    graphics: { controllers: [{ vendor: 'Intel Corporation', model: 'Intel(R) Iris(R) Xe Graphics', bus: 'PCI', vram: 128, vramDynamic: true }] },
  },
  macM3Pro18: {
    platform: 'darwin',
    arch: 'arm64',
    cpu: { brand: 'Apple M3 Pro', physicalCores: 11, cores: 11 },
    mem: { total: 18 * GiB, available: 9_800_000_000 },
    graphics: { controllers: [{ vendor: 'Apple', model: 'Apple M3 Pro', bus: 'Built-In', vram: null, vramDynamic: true }] },
    iogpuWiredLimitMb: 0,
  },
  macStudioM2Ultra192: {
    platform: 'darwin',
    arch: 'arm64',
    cpu: { brand: 'Apple M2 Ultra', physicalCores: 24, cores: 24 },
    mem: { total: 192 * GiB, available: 180_000_000_000 },
    graphics: { controllers: [{ vendor: 'Apple', model: 'Apple M2 Ultra', bus: 'Built-In', vram: null, vramDynamic: true }] },
    iogpuWiredLimitMb: 0,
  },
  intelMac5500M: {
    platform: 'darwin',
    arch: 'x64',
    cpu: { brand: 'Core™ i9-9880H', physicalCores: 8, cores: 16 },
    mem: { total: 16 * GiB, available: 6_500_000_000 },
    graphics: {
      controllers: [
        { vendor: 'Intel', model: 'Intel UHD Graphics 630', bus: 'Built-In', vram: 1536, vramDynamic: true },
        { vendor: 'AMD', model: 'AMD Radeon Pro 5500M', bus: 'PCIe', vram: 4096, vramDynamic: false },
      ],
    },
  },
  linuxCpuServer: {
    platform: 'linux',
    arch: 'x64',
    cpu: { brand: 'Xeon® Gold 6230', physicalCores: 20, cores: 40 },
    mem: { total: 134_925_000_000, available: 120_000_000_000 },
    graphics: {
      controllers: [{ vendor: 'Matrox Electronics Systems Ltd.', model: 'Integrated Matrox G200eW3 Graphics Controller', bus: 'Onboard', vram: 16, vramDynamic: false }],
    },
  },
  winGraphicsFailed: {
    platform: 'win32',
    arch: 'x64',
    cpu: { brand: 'Core™ i5-1235U', physicalCores: 10, cores: 12 },
    mem: { total: 8_341_966_848, available: 3_100_000_000 },
    graphics: { controllers: [], error: 'no answer within 20 s' },
  },
};

interface Row {
  name: string;
  facts: SystemFacts;
  source: MemorySource;
  gpu: number;
  offload: number;
  notes: string[];
}

const rows: Row[] = [
  {
    name: 'Windows + RTX 4070 12 GB (nvidia-smi)',
    facts: fixtures.winRtx4070!,
    source: 'dedicated_vram',
    gpu: (10913 - 512) * MiB,
    offload: 21_474_836_480 - reserve(34_185_007_104),
    notes: [
      'Using the NVIDIA GeForce RTX 4070 with 12 GB of graphics memory; 10 GB of it is available for models.',
      'Other apps are using 1.3 GB of graphics memory right now; closing them makes room for larger models.',
      'Parts of larger models can run on the CPU using up to 14 GB of system memory.',
      '6.4 GB of system memory is kept free for Windows and Lightroom.',
    ],
  },
  {
    name: 'Linux + 2× RTX 3090',
    facts: fixtures.linux2x3090!,
    source: 'dedicated_vram',
    gpu: (24237 - 512 + 24253 - 512) * MiB,
    offload: 251_000_000_000 - reserve(270_332_420_096),
    notes: [
      'Using 2 graphics cards (2× NVIDIA GeForce RTX 3090) with 48 GB of graphics memory; 46 GB of it is available for models.',
      'Ollama splits models that do not fit on one card across the cards.',
      'Parts of larger models can run on the CPU using up to 183 GB of system memory.',
      '50 GB of system memory is kept free for Linux and other programs.',
    ],
  },
  {
    name: 'Windows + RX 7900 XTX 24 GB (+ Ryzen iGPU)',
    facts: fixtures.winRx7900xtx!,
    source: 'dedicated_vram',
    gpu: 24560 * MiB - GiB,
    offload: 52_000_000_000 - reserve(68_612_354_048),
    notes: [
      'Using the AMD Radeon RX 7900 XTX with 24 GB of graphics memory; 23 GB of it is available for models.',
      "Ollama uses the AMD Radeon RX 7900 XTX only if it is on Ollama's list of supported AMD cards; otherwise models run on the CPU.",
      'Parts of larger models can run on the CPU using up to 36 GB of system memory.',
      '13 GB of system memory is kept free for Windows and Lightroom.',
    ],
  },
  {
    name: 'Windows + RX 6800 XT seen through the 4 GB WMI cap',
    facts: fixtures.winRx6800xtWmiCap!,
    source: 'dedicated_vram',
    gpu: 4095 * MiB - GiB,
    offload: 24_000_000_000 - reserve(34_292_711_424),
    notes: [
      'Using the AMD Radeon RX 6800 XT with 4 GB of graphics memory; 3 GB of it is available for models.',
      "Ollama uses the AMD Radeon RX 6800 XT only if it is on Ollama's list of supported AMD cards; otherwise models run on the CPU.",
      'Windows reports 4 GB for the AMD Radeon RX 6800 XT; it may have more, but recommendations assume 4 GB.',
      'Parts of larger models can run on the CPU using up to 16 GB of system memory.',
      '6.4 GB of system memory is kept free for Windows and Lightroom.',
    ],
  },
  {
    name: 'Windows laptop, Intel Iris Xe only',
    facts: fixtures.winIrisXe!,
    source: 'system_ram',
    gpu: 0,
    offload: 7_812_000_000 - reserve(16_947_490_816),
    notes: [
      'The Intel(R) Iris(R) Xe Graphics shares system memory with the CPU; Ollama does not use it.',
      'No supported GPU found; models run on the CPU from system memory.',
      '3.2 GB of system memory is kept free for Windows and Lightroom.',
    ],
  },
  {
    name: 'MacBook Pro M3 Pro 18 GB',
    facts: fixtures.macM3Pro18!,
    source: 'unified_memory',
    gpu: 12 * GiB,
    offload: 18 * GiB - 12 * GiB - reserve(18 * GiB),
    notes: [
      'Apple M3 Pro shares its 18 GB of memory between the CPU and the GPU; macOS lets the GPU use up to 12 GB of it.',
      'Parts of larger models can run on the CPU using up to 2.4 GB of system memory.',
      '3.6 GB of system memory is kept free for macOS and Lightroom.',
    ],
  },
  {
    name: 'MacBook Pro M3 Pro 18 GB with iogpu.wired_limit_mb=14336',
    facts: { ...fixtures.macM3Pro18!, iogpuWiredLimitMb: 14336 },
    source: 'unified_memory',
    gpu: 14 * GiB,
    offload: 18 * GiB - 14 * GiB - reserve(18 * GiB),
    notes: [
      'Apple M3 Pro shares its 18 GB of memory between the CPU and the GPU; macOS lets the GPU use up to 14 GB of it (limit set with iogpu.wired_limit_mb).',
      'Parts of larger models can run on the CPU using up to 0.4 GB of system memory.',
      '3.6 GB of system memory is kept free for macOS and Lightroom.',
    ],
  },
  {
    name: 'Mac Studio M2 Ultra 192 GB',
    facts: fixtures.macStudioM2Ultra192!,
    source: 'unified_memory',
    gpu: 144 * GiB,
    offload: 192 * GiB - 144 * GiB - reserve(192 * GiB),
    notes: [
      'Apple M2 Ultra shares its 192 GB of memory between the CPU and the GPU; macOS lets the GPU use up to 144 GB of it.',
      'Parts of larger models can run on the CPU using up to 9.6 GB of system memory.',
      '38 GB of system memory is kept free for macOS and Lightroom.',
    ],
  },
  {
    name: 'Apple Silicon seen by an x64 Node under Rosetta',
    facts: { ...fixtures.macM3Pro18!, arch: 'x64', graphics: { controllers: [] } },
    source: 'unified_memory',
    gpu: 12 * GiB,
    offload: 18 * GiB - 12 * GiB - reserve(18 * GiB),
    notes: [
      'Apple M3 Pro shares its 18 GB of memory between the CPU and the GPU; macOS lets the GPU use up to 12 GB of it.',
      'Parts of larger models can run on the CPU using up to 2.4 GB of system memory.',
      '3.6 GB of system memory is kept free for macOS and Lightroom.',
    ],
  },
  {
    name: 'Intel Mac with Radeon Pro 5500M 4 GB',
    facts: fixtures.intelMac5500M!,
    source: 'system_ram',
    gpu: 0,
    offload: 6_500_000_000 - reserve(16 * GiB),
    notes: [
      'Ollama does not use the graphics card on Intel Macs.',
      'No supported GPU found; models run on the CPU from system memory.',
      '3.2 GB of system memory is kept free for macOS and Lightroom.',
    ],
  },
  {
    name: 'CPU-only Linux server',
    facts: fixtures.linuxCpuServer!,
    source: 'system_ram',
    gpu: 0,
    offload: 120_000_000_000 - reserve(134_925_000_000),
    notes: ['No supported GPU found; models run on the CPU from system memory.', '25 GB of system memory is kept free for Linux and other programs.'],
  },
  {
    name: 'graphics() failed',
    facts: fixtures.winGraphicsFailed!,
    source: 'system_ram',
    gpu: 0,
    offload: 3_100_000_000 - 2 * GiB,
    notes: [
      'Could not read the graphics hardware (no answer within 20 s).',
      'No supported GPU found; models run on the CPU from system memory.',
      '2 GB of system memory is kept free for Windows and Lightroom.',
    ],
  },
];

describe('hardwareFromFacts', () => {
  it.each(rows)('$name', ({ facts, source, gpu, offload, notes }) => {
    const hw = hardwareFromFacts(facts, new Date('2025-01-01T00:00:00Z'));
    expect(hw.memory_source).toBe(source);
    expect(hw.gpu_memory_bytes).toBe(gpu);
    expect(hw.offload_memory_bytes).toBe(offload);
    expect(hw.notes).toEqual(notes);
    expect(hw.probed_at).toBe('2025-01-01T00:00:00.000Z');
    expect(hw.gpus).toHaveLength(facts.graphics.controllers.length);
  });

  it('describes each GPU, marking iGPUs and unified chips as not dedicated', () => {
    const amd = hardwareFromFacts(fixtures.winRx7900xtx!).gpus;
    expect(amd[0]).toEqual({ vendor: 'Advanced Micro Devices, Inc.', model: 'AMD Radeon RX 7900 XTX', vram_total_bytes: 24560 * MiB, vram_free_bytes: null, dedicated: true });
    expect(amd[1]).toMatchObject({ model: 'AMD Radeon(TM) Graphics', vram_total_bytes: null, dedicated: false });
    expect(hardwareFromFacts(fixtures.winRtx4070!).gpus[0]).toMatchObject({ vram_total_bytes: 12282 * MiB, vram_free_bytes: 10913 * MiB, dedicated: true });
    expect(hardwareFromFacts(fixtures.macM3Pro18!).gpus[0]).toMatchObject({ vram_total_bytes: null, dedicated: false });
    expect(hardwareFromFacts(fixtures.intelMac5500M!).gpus.map((g) => g.dedicated)).toEqual([false, true]);
    expect(hardwareFromFacts(fixtures.linuxCpuServer!).cpu).toEqual({ brand: 'Xeon® Gold 6230', physical_cores: 20, cores: 40 });
  });

  it('does not trust lspci apertures on Linux: an NVIDIA card without nvidia-smi is not counted', () => {
    const hw = hardwareFromFacts({
      ...fixtures.linuxCpuServer!,
      graphics: { controllers: [{ vendor: 'NVIDIA Corporation', model: 'AD104 [GeForce RTX 4070]', bus: 'PCI', vram: 256, vramDynamic: false }] },
    });
    expect(hw.memory_source).toBe('system_ram');
    expect(hw.notes[0]).toBe('Could not read the memory of the AD104 [GeForce RTX 4070]: nvidia-smi did not answer. Ollama needs a current NVIDIA driver to use it.');
  });

  it('counts a Windows NVIDIA card from the registry when nvidia-smi is missing, less 1 GiB', () => {
    const hw = hardwareFromFacts({
      ...fixtures.winRtx4070!,
      graphics: { controllers: [{ vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 4070', bus: 'PCI', vram: 12282, vramDynamic: true }] },
    });
    expect(hw.memory_source).toBe('dedicated_vram');
    expect(hw.gpu_memory_bytes).toBe(12282 * MiB - GiB);
    expect(hw.notes).toContain('nvidia-smi did not answer, so the free memory of the NVIDIA GeForce RTX 4070 is estimated; Ollama needs a current NVIDIA driver.');
  });
});

const linuxAmdSource = (amdVram?: FactSource['amdVram']): FactSource => ({
  platform: 'linux',
  arch: 'x64',
  cpu: async () => ({ brand: 'Ryzen 9 7950X 16-Core Processor', physicalCores: 16, cores: 32 }),
  mem: async () => ({ total: 64 * GiB, available: 50 * GiB }),
  graphics: async () => ({
    controllers: [
      // lspci only sees the 256 MiB BAR.
      { vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', model: 'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]', bus: 'PCI', busAddress: '03:00.0', vram: 256, vramDynamic: false },
      { vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', model: 'Raphael', bus: 'PCI', busAddress: '10:00.0', vram: 256, vramDynamic: false },
    ],
  }),
  ...(amdVram ? { amdVram } : {}),
});

describe('readSystemFacts', () => {
  it('turns a failing graphics() into CPU-only facts with the reason', async () => {
    const facts = await readSystemFacts({
      platform: 'win32',
      arch: 'x64',
      cpu: async () => ({ brand: 'Core™ i5-1235U', physicalCores: 10, cores: 12 }),
      mem: async () => ({ total: 16 * GiB, available: 8 * GiB }),
      graphics: async () => {
        throw new Error('powershell.exe exited with code 1');
      },
    });
    expect(facts.graphics).toEqual({ controllers: [], error: 'powershell.exe exited with code 1' });
    const hw = hardwareFromFacts(facts);
    expect(hw.memory_source).toBe('system_ram');
    expect(hw.notes[0]).toBe('Could not read the graphics hardware (powershell.exe exited with code 1).');
  });

  it('gives up on a graphics() that never answers', async () => {
    const facts = await readSystemFacts(
      { ...linuxAmdSource(), graphics: () => new Promise(() => {}) },
      { graphicsTimeoutMs: 20 },
    );
    expect(facts.graphics.controllers).toEqual([]);
    expect(facts.graphics.error).toMatch(/no answer/);
  });

  it("uses amdgpu's sysfs VRAM on Linux instead of lspci's aperture", async () => {
    const facts = await readSystemFacts(
      linuxAmdSource(async () => new Map([['03:00.0', { totalMiB: 24560, freeMiB: 23900 }], ['10:00.0', { totalMiB: 512, freeMiB: 400 }]])),
    );
    const hw = hardwareFromFacts(facts);
    expect(hw.memory_source).toBe('dedicated_vram');
    expect(hw.gpu_memory_bytes).toBe((23900 - 512) * MiB);
    expect(hw.gpus.map((g) => g.dedicated)).toEqual([true, false]);
  });

  it('without sysfs counters a Linux AMD card is not counted', async () => {
    const hw = hardwareFromFacts(await readSystemFacts(linuxAmdSource(async () => new Map())));
    expect(hw.memory_source).toBe('system_ram');
    expect(hw.notes.slice(0, 2)).toEqual([
      'Could not tell how much memory the Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M] has, so it is not counted.',
      'The Raphael shares system memory with the CPU; Ollama does not use it.',
    ]);
  });

  it('reads the macOS wired limit only on macOS', async () => {
    let asked = 0;
    const wiredLimitMb = async () => (asked++, 14336);
    const mac = await readSystemFacts({ ...linuxAmdSource(), platform: 'darwin', arch: 'arm64', graphics: async () => ({ controllers: [] }), wiredLimitMb });
    expect(mac.iogpuWiredLimitMb).toBe(14336);
    await readSystemFacts({ ...linuxAmdSource(), wiredLimitMb });
    expect(asked).toBe(1);
  });

  it('parses /sys/class/drm cards', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'junmai-drm-'));
    try {
      const card = async (n: string, files: Record<string, string>) => {
        await mkdir(path.join(root, n, 'device'), { recursive: true });
        for (const [f, v] of Object.entries(files)) await writeFile(path.join(root, n, 'device', f), v);
      };
      await card('card1', { uevent: 'DRIVER=amdgpu\nPCI_SLOT_NAME=0000:03:00.0\n', mem_info_vram_total: '25753026560\n', mem_info_vram_used: '692060160\n' });
      await card('card0', { uevent: 'DRIVER=ast\nPCI_SLOT_NAME=0000:c4:00.0\n' }); // no VRAM counters
      await mkdir(path.join(root, 'card1-DP-1'));
      const vram = await readAmdSysfsVram(root);
      expect([...vram]).toEqual([['03:00.0', { totalMiB: 24560, freeMiB: 23900 }]]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('SystemHardwareProbe', () => {
  const counting = () => {
    const calls = { n: 0 };
    const readFacts = async () => {
      calls.n++;
      return fixtures.winRtx4070!;
    };
    return { calls, readFacts };
  };

  it('reads once within cacheMs and again after it', async () => {
    let t = 1_000_000;
    const { calls, readFacts } = counting();
    const probe = new SystemHardwareProbe({ readFacts, cacheMs: 60_000, now: () => t });
    const first = await probe.probe();
    t += 59_999;
    expect(await probe.probe()).toBe(first);
    expect(calls.n).toBe(1);
    t += 1;
    const third = await probe.probe();
    expect(calls.n).toBe(2);
    expect(third.probed_at).toBe(new Date(t).toISOString());
  });

  it('says what it would answer at once while its answer is fresh, and nothing before or after', async () => {
    let t = 1_000_000;
    const { calls, readFacts } = counting();
    const probe = new SystemHardwareProbe({ readFacts, cacheMs: 60_000, now: () => t });
    expect(probe.fresh()).toBeUndefined();
    const first = await probe.probe();
    t += 59_999;
    expect(probe.fresh()).toBe(first);
    t += 1;
    expect(probe.fresh()).toBeUndefined();
    // Asking costs no read: only probe() reads.
    expect(calls.n).toBe(1);
  });

  it('shares one in-flight read between concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { calls, readFacts } = counting();
    const probe = new SystemHardwareProbe({ readFacts: async () => (await gate, readFacts()) });
    const pending = [probe.probe(), probe.probe(), probe.probe()];
    release();
    const [a, b, c] = await Promise.all(pending);
    expect(calls.n).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('does not cache a failed read', async () => {
    let fail = true;
    const probe = new SystemHardwareProbe({
      readFacts: async () => {
        if (fail) throw new Error('mem() failed');
        return fixtures.linuxCpuServer!;
      },
    });
    await expect(probe.probe()).rejects.toThrow('mem() failed');
    fail = false;
    expect((await probe.probe()).memory_source).toBe('system_ram');
  });

  it('probes this machine with the default reader, whether or not it has a GPU', async () => {
    const hw = await new SystemHardwareProbe().probe();
    expect(hw.ram_total_bytes).toBeGreaterThan(0);
    expect(hw.ram_available_bytes).toBeGreaterThan(0);
    expect(hw.cpu.cores).toBeGreaterThan(0);
    expect(hw.offload_memory_bytes).toBeLessThanOrEqual(hw.ram_available_bytes);
    // The memory source and the GPU memory agree, and the notes say which case this machine is.
    if (hw.memory_source === 'system_ram') {
      expect(hw.gpu_memory_bytes).toBe(0);
      expect(hw.notes).toContain('No supported GPU found; models run on the CPU from system memory.');
    } else {
      expect(hw.gpu_memory_bytes).toBeGreaterThan(0);
      expect(hw.notes).not.toContain('No supported GPU found; models run on the CPU from system memory.');
    }
  });
});
