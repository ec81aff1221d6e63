import { describe, expect, it } from 'vitest';
import { PullProgress } from '../daemon/downloads/progress.js';

// Lines as Ollama writes them (server/download.go): a blob on disk once with completed = total; a
// fetched one on a 60 ms ticker, starting from what its part files hold, without a closing line.
describe('PullProgress', () => {
  it('tells layers already on disk from fetched ones and from part-way ones', () => {
    const p = new PullProgress(null);
    expect(p.update('sha256:template', 1_000, 1_000, 0)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 4_000, 60)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 4_000, 120)).toBe(false);
    expect(p.update('sha256:weights', 10_000, 9_500, 180)).toBe(true);
    expect(p.update('sha256:projector', 2_000, undefined, 240)).toBe(false);
    expect(p.update('sha256:projector', 2_000, 1_500, 300)).toBe(true);
    expect(p.completed).toBe(1_000 + 9_500 + 1_500);
    expect(p.total).toBe(13_000);
    expect(p.partialBytes).toBe(4_000);
    expect(p.fetchedTotal).toBe(12_000);
    expect(p.bytesToHash).toBe(12_000);
    expect(p.allOnDisk).toBe(false);
  });

  it('counts a re-pull whose every layer is on disk as nothing new, with nothing to hash', () => {
    const p = new PullProgress(11_000);
    p.update('sha256:weights', 10_000, 10_000, 0);
    p.update('sha256:params', 1_000, 1_000, 0);
    expect([p.partialBytes, p.fetchedTotal, p.bytesToHash, p.allOnDisk]).toEqual([0, 0, 0, true]);
  });

  it('expects to hash the expected size less what was on disk when fetched layers wrote no line', () => {
    const p = new PullProgress(50_000);
    p.update('sha256:template', 1_000, 1_000, 0);
    expect(p.bytesToHash).toBe(49_000);
  });

  it('never lets a line that goes back lower a layer\'s completed bytes, yet counts the bytes fetched again as progress', () => {
    const p = new PullProgress(null);
    p.update('sha256:weights', 10_000, 6_000, 0);
    // A part reset mid-transfer: Ollama takes its bytes back (server/download.go downloadChunk) and fetches them again.
    expect(p.update('sha256:weights', 10_000, 5_000, 60)).toBe(false);
    expect(p.completed).toBe(6_000);
    expect(p.update('sha256:weights', 10_000, 5_500, 120)).toBe(true);
    expect(p.update('sha256:weights', 10_000, 5_500, 180)).toBe(false);
    expect(p.completed).toBe(6_000);
  });
});
