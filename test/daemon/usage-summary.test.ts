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

  it('lets go of ids more than `keep` behind the newest, once a quarter more than that is held', () => {
    const r = new RecentPhotos(4);
    for (const [photo, id] of [['x', 1], ['y', 2], ['x', 3], ['y', 4], ['z', 5]] as const) r.add('m', photo, id);
    expect([r.ids('m', 'x'), r.ids('m', 'y'), r.ids('m', 'z')]).toEqual([[1, 3], [2, 4], [5]]);
    // The sixth entry: ids up to 6 - 4 go.
    r.add('m', 'x', 6);
    expect([r.ids('m', 'x'), r.ids('m', 'y'), r.ids('m', 'z')]).toEqual([[3, 6], [4], [5]]);
    r.add('m', 'y', 7);
    expect(r.ids('m', 'y')).toEqual([4, 7]);
    // Four held after the prune, six again at id 8: up to 4 go.
    r.add('m', 'w', 8);
    expect([r.ids('m', 'x'), r.ids('m', 'y'), r.ids('m', 'z'), r.ids('m', 'w')]).toEqual([[6], [7], [5], [8]]);
    r.add('m', 'x', 9);
    expect(r.ids('m', 'x')).toEqual([6, 9]);
  });

  it('drops a photo whose only id fell out of range, and counts what it kept for the next prune', () => {
    const recent = new RecentPhotos(4);
    for (let id = 1; id <= 6; id++) recent.add('a:1b', `p${id}`, id);
    expect(recent.ids('a:1b', 'p1')).toEqual([]);
    expect(recent.ids('a:1b', 'p2')).toEqual([]);
    expect(recent.ids('a:1b', 'p3')).toEqual([3]);
    // Four kept after the prune at 6: the next prune comes at the sixth entry again, id 8 (keeps ids > 4).
    recent.add('a:1b', 'p7', 7);
    expect(recent.ids('a:1b', 'p3')).toEqual([3]);
    recent.add('a:1b', 'p8', 8);
    expect(recent.ids('a:1b', 'p3')).toEqual([]);
    expect(recent.ids('a:1b', 'p4')).toEqual([]);
    expect(recent.ids('a:1b', 'p5')).toEqual([5]);
  });
});
