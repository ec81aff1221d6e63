/**
 * How much memory a model may use on this machine. Product behaviour: every figure here decides
 * which models Junmai recommends, so each one carries its reason.
 */
import type { GpuInfo, GraphicsControllerFacts, HardwareInfo, SystemFacts } from './types.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * Kept free on a GPU whose free memory nvidia-smi reported: the CUDA/ROCm context and compute
 * buffers Ollama allocates before the first layer. Free memory already excludes the desktop and
 * whatever Lightroom's GPU acceleration holds, and Ollama itself sizes against free memory.
 */
export const GPU_RESERVE_WITH_FREE_BYTES = 512 * MiB;
/** Kept free when only the card's size is known: the same context plus ~0.5 GiB for the desktop. */
export const GPU_RESERVE_WITHOUT_FREE_BYTES = 1 * GiB;

/**
 * System RAM kept for the OS and Lightroom Classic: 2 GiB or 20 % of RAM, whichever is larger.
 * 2 GiB is the floor an OS needs to stay responsive; 20 % grows with the machine because
 * Lightroom's caches grow with the RAM it finds.
 */
export const OS_RESERVE_MIN_BYTES = 2 * GiB;
export const OS_RESERVE_FRACTION = 0.2;

/**
 * Apple Silicon: Metal refuses to wire more than recommendedMaxWorkingSetSize, which by default is
 * 2/3 of RAM up to 36 GiB and 3/4 above (overridable with `sysctl iogpu.wired_limit_mb`).
 * Recorded values: 16 GiB -> 10922.67 MiB (abetlen/llama-cpp-python#687, ise-uiuc/magicoder#19),
 * 32 GiB -> 21845.34 MiB (ollama/ollama#434), 64 GiB -> 49152 MiB (ggml-org/llama.cpp#1870),
 * 96 GiB -> 73728 MiB (ggml-org/llama.cpp#3213). No 36 or 48 GiB sample was found, so the exact
 * step is unverified. macOS 26 reports more on some machines (128 GiB -> 107.52 GiB, antirez/ds4#893;
 * 24 GiB -> 17.76 GiB, sgl-project/sglang#29949); the older, lower figure errs towards models that fit.
 */
export const APPLE_SMALL_RAM_MAX_BYTES = 36 * GiB;
export const APPLE_GPU_FRACTION_SMALL = 2 / 3;
export const APPLE_GPU_FRACTION_LARGE = 3 / 4;

/**
 * An AMD "card" smaller than this is an APU's carve-out under a name the APU pattern missed;
 * every AMD card Ollama supports has at least 4 GiB.
 */
export const AMD_MIN_DISCRETE_MIB = 2048;
/** Win32_VideoController.AdapterRAM is a uint32, so WMI tops out here (sebhildebrandt/systeminformation#406). */
export const WINDOWS_WMI_CAP_MIB = 4096;

type Vendor = 'nvidia' | 'amd' | 'apple' | 'intel' | 'other';

// APUs: Windows names end in "Graphics" ("AMD Radeon(TM) Graphics", "Radeon 8060S Graphics");
// "Radeon 780M"-style names are laptop iGPUs; lspci uses the die's code name.
const AMD_APU =
  /graphics\s*$|\bradeon \d{3}m\b|\b(raven|picasso|renoir|lucienne|cezanne|barcelo|rembrandt|mendocino|raphael|phoenix|hawk point|strix|granite ridge|van gogh)\d*\b/i;
// Intel Core Ultra's iGPU is "Intel(R) Arc(TM) Graphics"; discrete Arc cards carry an A/B model number.
const INTEL_DISCRETE = /\barc(\(tm\))?\s+[ab]\d{3}/i;

/** A controller with the policy's judgements attached. */
interface Card {
  vendor: Vendor;
  name: string;
  dedicated: boolean;
  /** MiB, only when measured (see vramMiB). */
  sizeMiB: number | null;
  freeMiB: number | null;
}

export function hardwareFromFacts(facts: SystemFacts, probedAt: Date = new Date()): HardwareInfo {
  const total = facts.mem.total;
  const reserve = osReserveBytes(total);
  const cards = facts.graphics.controllers.map((c) => toCard(c, facts.platform));
  const base = {
    platform: facts.platform,
    arch: facts.arch,
    cpu: { brand: facts.cpu.brand, physical_cores: facts.cpu.physicalCores, cores: facts.cpu.cores },
    ram_total_bytes: total,
    ram_available_bytes: facts.mem.available,
    gpus: facts.graphics.controllers.map((c, i) => gpuInfo(c, cards[i]!)),
    probed_at: probedAt.toISOString(),
  };
  const reserveNote = `${fmt(reserve)} of system memory is kept free for ${keptFor(facts.platform)}.`;

  if (isAppleSilicon(facts, cards)) {
    const override = facts.iogpuWiredLimitMb ?? 0;
    const fraction = total <= APPLE_SMALL_RAM_MAX_BYTES ? APPLE_GPU_FRACTION_SMALL : APPLE_GPU_FRACTION_LARGE;
    const gpu = Math.floor(override > 0 ? Math.min(override * MiB, total) : total * fraction);
    // Unified memory: layers Metal cannot hold run on the CPU from the same RAM, after the OS share.
    const offload = Math.max(0, total - gpu - reserve);
    const chip = cards.find((c) => c.vendor === 'apple')?.name || facts.cpu.brand || 'This Mac';
    const limit = override > 0 ? ' (limit set with iogpu.wired_limit_mb)' : '';
    return {
      ...base,
      memory_source: 'unified_memory',
      gpu_memory_bytes: gpu,
      offload_memory_bytes: offload,
      notes: [
        `${chip} shares its ${fmt(total)} of memory between the CPU and the GPU; macOS lets the GPU use up to ${fmt(gpu)} of it${limit}.`,
        offloadNote(offload),
        reserveNote,
      ],
    };
  }

  const offload = Math.max(0, facts.mem.available - reserve);
  const notes: string[] = [];
  // Ollama has no GPU backend for Intel Macs, whatever card they carry (ollama/ollama#1016).
  const counted = facts.platform === 'darwin' ? [] : pickAccelerators(cards);

  if (counted.length > 0) {
    const gpu = counted.reduce((sum, c) => sum + usableBytes(c), 0);
    const sizes = counted.reduce((sum, c) => sum + (c.sizeMiB ?? 0) * MiB, 0);
    const names = [...new Set(counted.map((c) => c.name))];
    const what =
      counted.length === 1
        ? `the ${names[0]}`
        : `${counted.length} graphics cards (${names.length === 1 ? `${counted.length}× ${names[0]}` : names.join(', ')})`;
    notes.push(`Using ${what} with ${fmt(sizes)} of graphics memory; ${fmt(gpu)} of it is available for models.`);
    if (counted.length > 1) notes.push('Ollama splits models that do not fit on one card across the cards.');
    const busy = counted.reduce((sum, c) => sum + busyBytes(c), 0);
    if (busy >= 1 * GiB) {
      notes.push(`Other apps are using ${fmt(busy)} of graphics memory right now; closing them makes room for larger models.`);
    }
    for (const c of counted) notes.push(...cardCaveats(c, facts.platform));
    notes.push(offloadNote(offload), reserveNote);
    return { ...base, memory_source: 'dedicated_vram', gpu_memory_bytes: gpu, offload_memory_bytes: offload, notes };
  }

  if (facts.graphics.error !== undefined) {
    notes.push(`Could not read the graphics hardware (${facts.graphics.error}).`);
  } else if (facts.platform === 'darwin' && cards.length > 0) {
    notes.push('Ollama does not use the graphics card on Intel Macs.');
  } else {
    for (const c of cards) {
      const reason = ignoredReason(c);
      if (reason) notes.push(reason);
    }
  }
  notes.push('No supported GPU found; models run on the CPU from system memory.', reserveNote);
  return { ...base, memory_source: 'system_ram', gpu_memory_bytes: 0, offload_memory_bytes: offload, notes };
}

export function osReserveBytes(totalRam: number): number {
  return Math.max(OS_RESERVE_MIN_BYTES, Math.floor(totalRam * OS_RESERVE_FRACTION));
}

function isAppleSilicon(facts: SystemFacts, cards: Card[]): boolean {
  if (facts.platform !== 'darwin') return false;
  // An x64 Node under Rosetta reports arch 'x64' on an M-series Mac; the chip name still says Apple.
  return facts.arch === 'arm64' || /^apple m\d/i.test(facts.cpu.brand) || cards.some((c) => c.vendor === 'apple');
}

function vendorOf(c: GraphicsControllerFacts): Vendor {
  const s = `${c.vendor} ${c.model} ${c.name ?? ''}`.toLowerCase();
  if (s.includes('nvidia')) return 'nvidia';
  if (/advanced micro devices|\bamd\b|\bati\b|radeon/.test(s)) return 'amd';
  if (s.includes('apple')) return 'apple';
  if (s.includes('intel')) return 'intel';
  return 'other';
}

function isDedicated(c: GraphicsControllerFacts, vendor: Vendor, platform: NodeJS.Platform): boolean {
  if (vendor === 'nvidia') return true;
  if (vendor === 'intel') return INTEL_DISCRETE.test(c.model);
  if (vendor !== 'amd') return false;
  // vramDynamic means "shared" only on macOS (bus Built-In). On Windows it mirrors VideoMemoryType,
  // which reads "unknown" (=> true) for discrete cards too (sebhildebrandt/systeminformation#344).
  const shared = c.bus === 'Built-In' || c.bus === 'Onboard' || (platform === 'darwin' && c.vramDynamic);
  return !shared && !AMD_APU.test(c.model);
}

/**
 * The card's own memory in MiB, only from sources that measure it: nvidia-smi, amdgpu's sysfs
 * counters (Linux), the registry/WMI (Windows) or system_profiler (macOS). On Linux `vram` is a
 * PCI aperture from lspci (256 MiB, or a power of two above the real size with Resizable BAR).
 */
function vramMiB(c: GraphicsControllerFacts, platform: NodeJS.Platform): number | null {
  const v = c.memoryTotal ?? (platform === 'win32' || platform === 'darwin' ? c.vram : null);
  return positive(v);
}

function positive(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

function toCard(c: GraphicsControllerFacts, platform: NodeJS.Platform): Card {
  const vendor = vendorOf(c);
  const free = c.memoryFree;
  return {
    vendor,
    name: (c.name || c.model || c.vendor || 'graphics card').trim(),
    dedicated: isDedicated(c, vendor, platform),
    sizeMiB: vramMiB(c, platform),
    freeMiB: typeof free === 'number' && Number.isFinite(free) && free >= 0 ? free : null,
  };
}

/** Ollama runs layers on NVIDIA (CUDA) and AMD (ROCm) cards; Intel GPUs and APUs stay on the CPU. */
function isCountable(c: Card): boolean {
  if (!c.dedicated || c.sizeMiB === null) return false;
  return c.vendor === 'nvidia' || (c.vendor === 'amd' && c.sizeMiB >= AMD_MIN_DISCRETE_MIB);
}

/**
 * Ollama splits layers across all GPUs of one backend, so same-vendor cards add up; a CUDA card
 * and a ROCm card do not share a model, so only the larger vendor group counts.
 */
function pickAccelerators(cards: Card[]): Card[] {
  const groups = new Map<Vendor, Card[]>();
  for (const c of cards.filter(isCountable)) groups.set(c.vendor, [...(groups.get(c.vendor) ?? []), c]);
  let best: Card[] = [];
  let bestBytes = -1;
  for (const group of groups.values()) {
    const bytes = group.reduce((sum, c) => sum + usableBytes(c), 0);
    if (bytes > bestBytes) [best, bestBytes] = [group, bytes];
  }
  return best;
}

function usableBytes(c: Card): number {
  if (c.freeMiB !== null) return Math.max(0, c.freeMiB * MiB - GPU_RESERVE_WITH_FREE_BYTES);
  return Math.max(0, (c.sizeMiB ?? 0) * MiB - GPU_RESERVE_WITHOUT_FREE_BYTES);
}

function busyBytes(c: Card): number {
  return c.freeMiB === null || c.sizeMiB === null ? 0 : Math.max(0, (c.sizeMiB - c.freeMiB) * MiB);
}

function cardCaveats(c: Card, platform: NodeJS.Platform): string[] {
  const out: string[] = [];
  if (c.vendor === 'nvidia' && c.freeMiB === null) {
    out.push(`nvidia-smi did not answer, so the free memory of the ${c.name} is estimated; Ollama needs a current NVIDIA driver.`);
  }
  if (c.vendor === 'amd') {
    out.push(`Ollama uses the ${c.name} only if it is on Ollama's list of supported AMD cards; otherwise models run on the CPU.`);
    // Above 4096 MiB the figure came from the registry's qwMemorySize and is exact.
    const size = c.sizeMiB ?? 0;
    if (platform === 'win32' && size >= WINDOWS_WMI_CAP_MIB - 1 && size <= WINDOWS_WMI_CAP_MIB) {
      out.push(`Windows reports 4 GB for the ${c.name}; it may have more, but recommendations assume 4 GB.`);
    }
  }
  return out;
}

function ignoredReason(c: Card): string | null {
  if (c.vendor === 'nvidia') {
    return `Could not read the memory of the ${c.name}: nvidia-smi did not answer. Ollama needs a current NVIDIA driver to use it.`;
  }
  if (c.vendor === 'amd' && c.dedicated) return `Could not tell how much memory the ${c.name} has, so it is not counted.`;
  if (c.vendor === 'intel' || c.vendor === 'amd') {
    return c.dedicated
      ? `Ollama does not use Intel graphics cards such as the ${c.name}.`
      : `The ${c.name} shares system memory with the CPU; Ollama does not use it.`;
  }
  return null; // BMC and server display chips (ASPEED, Matrox) are not worth a sentence.
}

function gpuInfo(c: GraphicsControllerFacts, card: Card): GpuInfo {
  return {
    vendor: c.vendor,
    model: card.name,
    // An iGPU's or Apple chip's "vram" is a share of system RAM, not memory of its own.
    vram_total_bytes: card.dedicated && card.sizeMiB !== null ? card.sizeMiB * MiB : null,
    vram_free_bytes: card.freeMiB !== null ? card.freeMiB * MiB : null,
    dedicated: card.dedicated,
  };
}

function offloadNote(offload: number): string {
  return `Parts of larger models can run on the CPU using up to ${fmt(offload)} of system memory.`;
}

// Lightroom Classic exists only for macOS and Windows.
function keptFor(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS and Lightroom';
  if (platform === 'win32') return 'Windows and Lightroom';
  return `${platform === 'linux' ? 'Linux' : 'the system'} and other programs`;
}

/** RAM and VRAM are sold in binary gigabytes, so "GB" here means GiB, as on the box. */
export function fmt(bytes: number): string {
  const gb = bytes / GiB;
  return `${gb >= 10 ? Math.round(gb) : Math.round(gb * 10) / 10} GB`;
}
