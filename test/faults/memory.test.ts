import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOllamaEmulator } from '../emulator/index.js';
import { spawnDaemon } from '../support/child-daemon.js';
import { http } from '../support/http.js';
import { paddedJpeg, tinyJpeg } from '../support/images.js';

const MB = 1024 * 1024;
const IMAGE_BYTES = 25 * MB;
const PARALLEL = 100;
/*
 * README ("Limits that keep the daemon's memory bounded"): an evaluation in a slot holds about 1.8 × its image at its
 * peak, the collector may still hold the previous one's, and each request let in holds a 768 KB piece while it is
 * hashed: 1 slot × 2 × 2 × 25 MB + 100 × 0.75 MB ≈ 175 MB here. The bound is the one set when a slot held 6.3 × its
 * image; read on arrival, as before that, the same photos raised it by 3.5 GB.
 */
const BOUND = 512 * MB;
/** A valid answer at once: the emulator's own would hash each 33 MB request, time that measures nothing here. */
const ANSWER = JSON.stringify({ rating: 3, flag: 'none', keywords: ['harbor'], caption: 'A harbor at dusk.', title: 'Harbor', reasons: ['even light'] });

/** Resident bytes of a process now (`VmRSS`) or at its peak since the last reset (`VmHWM`), from /proc. */
function resident(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+) kB/.exec(line ?? '')?.[1]) * 1024;
}

describe.skipIf(process.platform !== 'linux')('memory of a daemon in its own process', () => {
  it(`${PARALLEL} parallel evaluations of a 25 MB image path raise its resident memory by less than ${BOUND / MB} MB`, async () => {
    const emu = await startOllamaEmulator({ installed: ['gemma3:4b'], generateLatencyMs: 10, responder: () => ANSWER });
    const dir = mkdtempSync(join(tmpdir(), 'junmai-memory-'));
    const image = join(dir, 'large.jpg');
    // One file for all: with the cache off, each evaluation reads and sends it on its own.
    writeFileSync(image, paddedJpeg(IMAGE_BYTES));
    writeFileSync(join(dir, 'small.jpg'), tinyJpeg(1));
    const d = await spawnDaemon({
      JUNMAI_DATA_DIR: join(dir, 'data'),
      OLLAMA_HOST: emu.url,
      JUNMAI_EVAL_MAX_IMAGE_BYTES: String(IMAGE_BYTES),
      // Every request is let in and waits for the one slot, so what is measured is a queue holding paths.
      JUNMAI_EVAL_QUEUE: String(PARALLEL + 28),
    });
    const pid = d.proc.pid as number;
    try {
      const evaluate = (photo_id: string, image_path: string) =>
        http(d.url, 'POST', '/api/evaluate', { body: { image_path, photo_id, model: 'gemma3:4b', options: { cache: false } } });
      // The code paths of an evaluation are loaded before the baseline, the large image is not.
      expect((await evaluate('warm-up', join(dir, 'small.jpg'))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      // Writing 5 resets the kernel's peak (VmHWM) to the present size, so the peak below is the burst's own. Where
      // /proc may not be written, the samples alone have to do.
      let kernelPeak = true;
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        kernelPeak = false;
      }
      const baseline = resident(pid, 'VmRSS');
      let sampled = baseline;
      const sampler = setInterval(() => {
        sampled = Math.max(sampled, resident(pid, 'VmRSS'));
      }, 50);
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => evaluate(`memory-${i}`, image))).finally(() => clearInterval(sampler));
      const seconds = (performance.now() - t0) / 1000;
      // The sampler shares its event loop with the emulator, which parses each 33 MB request; the kernel's peak misses nothing.
      const peak = kernelPeak ? Math.max(sampled, resident(pid, 'VmHWM')) : sampled;
      const statuses = new Map<number, number>();
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      console.log(`[faults] memory: ${PARALLEL} parallel evaluations of a ${IMAGE_BYTES / MB} MB image path in ${seconds.toFixed(1)} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}; daemon RSS ${(baseline / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB (sampled every 50 ms: ${(sampled / MB).toFixed(0)} MB), growth ${((peak - baseline) / MB).toFixed(0)} MB, bound ${BOUND / MB} MB`);
      expect(answers.map((a) => a.status)).toEqual(new Array<number>(PARALLEL).fill(200));
      expect(peak - baseline).toBeLessThan(BOUND);
    } finally {
      d.proc.kill('SIGKILL');
      await d.exited;
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
