import { describe, expect, it } from 'vitest';
import { DurationHistogram, RecentPhotos } from '../../daemon/store/usage-summary.js';

// The in-memory summaries of the usage table by value: buckets, ranks and the recent photo rows.

const histogram = (...ms: number[]) => {
  const h = new DurationHistogram();
  for (const v of ms) h.add(v);
  return h;
};

describe('duration histogram', () => {
  it('files durations in buckets 1% wide with their count, smallest and largest; zero below them all', () => {
    // log(100.2)/log(1.01) = 463.0…, log(101)/log(1.01) = 463.8…: one bucket; 100 is the last of bucket 462.
    const h = histogram(100.5, 100.2, 101, 100.3, 0, 100, 0);
    expect(h.toJSON()).toEqual([[463, 4, 100.2, 101], [-100_000, 2, 0, 0], [462, 1, 100, 100]]);
    expect(histogram(-5).toJSON()).toEqual([[-100_000, 1, -5, -5]]);
  });

  it('reads the nearest rank: the first and last of a bucket exactly, between them in proportion', () => {
    const h = histogram(100.25, 101, 100.5, 0, 50);
    // Ranks 1..5 are 0, 50, then bucket 463's three: 100.25, their middle (100.25 + 0.75/2), 101.
    expect(h.percentiles(5, [0, 20, 21, 40, 41, 60, 80, 100])).toEqual([0, 0, 50, 50, 100.25, 100.25, 100.625, 101]);
    // The third of four: two thirds of the way.
    expect(histogram(100.25, 100.3, 100.4, 101).percentiles(4, [75])).toEqual([100.75]);
  });

  it('has nothing for no durations, and null past the end when told of more than it holds', () => {
    const h = histogram(100, 200);
    expect(h.percentiles(0, [50, 95])).toEqual([null, null]);
    expect(h.percentiles(-1, [50])).toEqual([null]);
    expect(h.percentiles(4, [25, 50, 75, 100])).toEqual([100, 200, null, null]);
    expect(new DurationHistogram().percentiles(3, [50])).toEqual([null]);
  });

  it('sorts a bucket added after a read in its place', () => {
    const h = histogram(200, 300);
    expect(h.percentiles(2, [50])).toEqual([200]);
    h.add(100);
    expect(h.percentiles(3, [1, 50, 100])).toEqual([100, 200, 300]);
    h.add(300);
    expect(h.percentiles(4, [100])).toEqual([300]);
  });

  it('comes back the same from what it saved', () => {
    const h = histogram(100.2, 101, 7, 0);
    const again = DurationHistogram.from(h.toJSON());
    expect(again.toJSON()).toEqual(h.toJSON());
    expect(again.percentiles(4, [25, 50, 75, 100])).toEqual([0, 7, 100.2, 101]);
    again.add(100.5);
    expect(again.toJSON()).toEqual([[463, 3, 100.2, 101], [195, 1, 7, 7], [-100_000, 1, 0, 0]]);
  });
});

describe('recent photo rows', () => {
  it('gives a photo\'s ids by model and photo, oldest first', () => {
    const r = new RecentPhotos(100);
    r.add('a', 'P1', 1);
    r.add('b', 'P1', 2);
    r.add('a', 'P1', 3);
    r.add('a', 'P1', 4);
    r.add('a', 'P2', 5);
    expect([r.ids('a', 'P1'), r.ids('b', 'P1'), r.ids('a', 'P2'), r.ids('b', 'P2')]).toEqual([[1, 3, 4], [2], [5], []]);
    // Model and photo are looked up apart: "a" + "bP" is not "ab" + "P".
    r.add('ab', 'P', 6);
    expect(r.ids('a', 'bP')).toEqual([]);
  });

  it('gives only ids above the newest id added minus `keep`, looked up before or after they were added', () => {
    const r = new RecentPhotos(4);
    for (const [photo, id] of [['x', 1], ['y', 2], ['x', 3]] as const) r.add('m', photo, id);
    expect([r.ids('m', 'x'), r.ids('m', 'y')]).toEqual([[1, 3], [2]]);
    for (const [photo, id] of [['w', 4], ['z', 5], ['x', 6]] as const) r.add('m', photo, id);
    // 6 - 4 = 2: ids 1 and 2 are out, filed or not, alone or beside others.
    expect([r.ids('m', 'x'), r.ids('m', 'y'), r.ids('m', 'z'), r.ids('m', 'w')]).toEqual([[3, 6], [], [5], [4]]);
    r.add('m', 'q', 7);
    expect([r.ids('m', 'x'), r.ids('m', 'w'), r.ids('m', 'q')]).toEqual([[6], [4], [7]]);
  });

  it('queues entries until a lookup, holding at most twice the range, and never files one already out of it', () => {
    const r = new RecentPhotos(4);
    for (let id = 1; id <= 8; id++) r.add('m', `p${id}`, id);
    expect(r.held()).toBe(8);
    // The ninth passes twice the range: the queue keeps ids above 9 - 4.
    r.add('m', 'p9', 9);
    expect(r.held()).toBe(4);
    for (let id = 10; id <= 12; id++) r.add('m', `p${id}`, id);
    expect(r.held()).toBe(7);
    // Filed on lookup: only 9-12 are in range.
    expect(r.ids('m', 'p12')).toEqual([12]);
    expect(r.held()).toBe(4);
    expect([r.ids('m', 'p8'), r.ids('m', 'p9')]).toEqual([[], [9]]);
  });

  it('leaves out a filed id that has fallen out of range before a prune lets it go', () => {
    const r = new RecentPhotos(4);
    r.add('m', 'p1', 1);
    expect(r.ids('m', 'p1')).toEqual([1]);
    for (let id = 2; id <= 5; id++) r.add('m', `q${id}`, id);
    expect(r.ids('m', 'p1')).toEqual([]);
    expect(r.held()).toBe(5);
  });

  it('lets go of filed ids out of range once a quarter more than the range is filed', () => {
    const r = new RecentPhotos(4);
    const held: number[] = [];
    for (let id = 1; id <= 8; id++) {
      r.add('m', id % 3 === 1 ? 'x' : `p${id}`, id);
      r.ids('m', 'x');
      held.push(r.held());
    }
    // Six filed at id 6: those up to 2 go (x's 1 among them); six again at 8: up to 4 go (x's 4).
    expect(held).toEqual([1, 2, 3, 4, 5, 4, 5, 4]);
    expect(r.ids('m', 'x')).toEqual([7]);
    r.add('m', 'x', 9);
    expect(r.ids('m', 'x')).toEqual([7, 9]);
  });
});
