import { describe, expect, it } from 'vitest';
import { RecentPhotos } from '../../daemon/store/usage-summary.js';

describe('RecentPhotos', () => {
  it('keeps the ids within the last `keep` rows once it prunes, photos with one id and with several alike', () => {
    // keep 4: the fifth and sixth ids stay below the prune threshold (4 + 4/4 = 5); the sixth prunes ids <= 2.
    const recent = new RecentPhotos(4);
    recent.add('a:1b', 'p1', 1);
    recent.add('a:1b', 'p2', 2);
    recent.add('a:1b', 'p1', 3);
    recent.add('b:1b', 'p2', 4);
    recent.add('a:1b', 'p3', 5);
    expect(recent.ids('a:1b', 'p1')).toEqual([1, 3]);
    recent.add('a:1b', 'p2', 6);
    expect(recent.ids('a:1b', 'p1')).toEqual([3]);
    expect(recent.ids('a:1b', 'p2')).toEqual([6]);
    expect(recent.ids('b:1b', 'p2')).toEqual([4]);
    expect(recent.ids('a:1b', 'p3')).toEqual([5]);
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
