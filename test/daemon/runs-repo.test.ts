import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunChangeRow } from '../../daemon/store/runs-repo.js';
import { Store } from '../../daemon/store/store.js';

// The runs' SQL by value: which rows each statement takes or leaves decides every answer below.

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'junmai-runs-repo-'));
  store = Store.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const day = (d: number) => new Date(Date.UTC(2026, 10, 1 + d)).toISOString();
const KEEP_ALL = { olderThan: day(-1000), newest: 1000 };
const run = (id: string, at: string, keep = KEEP_ALL) => store.runs.create({ id, kind: 'apply', model: 'gemma3:4b', source: 'review', created_at: at }, keep);
const ids = () => store.runs.list(1000).map((r) => r.id);
const change = (photo_id: string, field: string, before: unknown, after: unknown, added: string[] = [], created: string[] = []) => ({
  photo_id, field, before, after, keywords_added: added, keywords_created: created,
});
const brief = (c: RunChangeRow) => [c.photo_id, c.field, c.undo, c.undo_reason];

describe('pruning runs', () => {
  it('deletes the runs created before the date, keeps one created on it, and says how many went', () => {
    for (let d = 0; d < 5; d++) run(`r${d}`, day(d));
    store.runs.addChanges('r1', [change('1', 'rating', 0, 3)]);
    expect(store.runs.prune({ olderThan: day(2), newest: 1000 })).toBe(2);
    expect(ids()).toEqual(['r4', 'r3', 'r2']);
    expect(store.runs.changes('r1')).toEqual([]);
    expect(store.runs.prune({ olderThan: day(2), newest: 1000 })).toBe(0);
  });

  it('keeps the newest by creation, the later recorded first among runs created at the same time', () => {
    run('a', day(3));
    run('b', day(1));
    run('c', day(2));
    run('d', day(2));
    run('e', day(0));
    expect(store.runs.prune({ olderThan: day(-1), newest: 3 })).toBe(2);
    expect(ids()).toEqual(['a', 'd', 'c']);
    expect(store.runs.prune({ olderThan: day(-1), newest: 2 })).toBe(1);
    expect(ids()).toEqual(['a', 'd']);
  });

  it('applies both limits at once', () => {
    for (let d = 0; d < 6; d++) run(`r${d}`, day(d));
    expect(store.runs.prune({ olderThan: day(1), newest: 3 })).toBe(3);
    expect(ids()).toEqual(['r5', 'r4', 'r3']);
  });

  it('prunes as a run is recorded, the new run counted among the newest', () => {
    run('old', day(0));
    run('mid', day(5));
    run('new', day(6), { olderThan: day(1), newest: 1000 });
    expect(ids()).toEqual(['new', 'mid']);
    run('newer', day(7), { olderThan: day(1), newest: 1 });
    expect(ids()).toEqual(['newer']);
  });
});

describe('a run and its sums', () => {
  it('counts changes, distinct photos and distinct fields; restored and left once undone', () => {
    run('r', day(0));
    run('other', day(0));
    store.runs.addChanges('other', [change('9', 'title', null, 'x')]);
    expect(store.runs.get('r')).toEqual({
      id: 'r', kind: 'apply', model: 'gemma3:4b', source: 'review', status: 'open', created_at: day(0), undone_at: null,
      change_count: 0, photo_count: 0, fields: [], restored: 0, left: 0,
    });
    store.runs.addChanges('r', [change('1', 'rating', 0, 3), change('1', 'pick', 0, 1), change('2', 'rating', null, 2), change('3', 'caption', null, 'c')]);
    const summary = store.runs.get('r');
    expect({ ...summary, fields: [...(summary?.fields ?? [])].sort() }).toEqual({
      id: 'r', kind: 'apply', model: 'gemma3:4b', source: 'review', status: 'open', created_at: day(0), undone_at: null,
      change_count: 4, photo_count: 3, fields: ['caption', 'pick', 'rating'], restored: 0, left: 0,
    });
    store.runs.markUndone('r', [{ photo_id: '1', field: 'rating', outcome: 'restored', reason: null }, { photo_id: '2', field: 'rating', outcome: 'restored', reason: null }], 'not_reported', 'partly_undone', day(1));
    expect(store.runs.get('r')).toMatchObject({ status: 'partly_undone', undone_at: day(1), restored: 2, left: 2, change_count: 4 });
    expect(store.runs.get('nothing')).toBeUndefined();
    expect(store.runs.list(1).map((r) => [r.id, r.change_count])).toEqual([['other', 1]]);
  });
});

describe('recording a photo and field twice', () => {
  it('keeps the first before, takes the last after and joins the keywords, across calls and within one', () => {
    run('r', day(0));
    run('s', day(0));
    store.runs.addChanges('r', [change('1', 'keywords', ['A'], ['A', 'B'], ['B'], ['B'])]);
    store.runs.addChanges('s', [change('1', 'keywords', ['Z'], ['Z', 'Y'], ['Y'], [])]);
    store.runs.addChanges('r', [
      change('1', 'keywords', ['A', 'B'], ['A', 'B', 'C'], ['C', 'B'], ['C']),
      change('2', 'keywords', [], ['B'], ['B'], []),
      change('1', 'rating', 0, 2),
      change('1', 'keywords', ['A', 'B', 'C'], ['A', 'B', 'C', 'D'], ['D'], []),
    ]);
    expect(store.runs.changes('r')).toEqual([
      { photo_id: '1', field: 'keywords', before: ['A'], after: ['A', 'B', 'C', 'D'], keywords_added: ['B', 'C', 'D'], keywords_created: ['B', 'C'], undo: null, undo_reason: null },
      { photo_id: '2', field: 'keywords', before: [], after: ['B'], keywords_added: ['B'], keywords_created: [], undo: null, undo_reason: null },
      { photo_id: '1', field: 'rating', before: 0, after: 2, keywords_added: [], keywords_created: [], undo: null, undo_reason: null },
    ]);
    expect(store.runs.changes('s')).toEqual([
      { photo_id: '1', field: 'keywords', before: ['Z'], after: ['Z', 'Y'], keywords_added: ['Y'], keywords_created: [], undo: null, undo_reason: null },
    ]);
    expect(store.runs.get('r')).toMatchObject({ change_count: 3, photo_count: 2 });
  });

  it('records nothing of a batch that fails part way', () => {
    run('r', day(0));
    expect(() => store.runs.addChanges('r', [change('1', 'rating', 0, 2), change('1', 'label', null, 'Red')])).toThrow();
    expect(store.runs.changes('r')).toEqual([]);
  });
});

describe('marking an undo', () => {
  it('marks the changes named, the rest of this run as left for the reason given, and no other run', () => {
    run('r', day(0));
    run('s', day(0));
    store.runs.addChanges('r', [change('1', 'rating', 0, 3), change('1', 'pick', 0, 1), change('2', 'rating', 0, 2), change('2', 'caption', null, 'c')]);
    store.runs.addChanges('s', [change('1', 'rating', 0, 3)]);
    store.runs.markUndone('r', [
      { photo_id: '1', field: 'rating', outcome: 'restored', reason: null },
      { photo_id: '2', field: 'rating', outcome: 'left', reason: 'edited_since' },
    ], 'not_reported', 'partly_undone', day(2));
    expect(store.runs.changes('r').map(brief)).toEqual([
      ['1', 'rating', 'restored', null], ['1', 'pick', 'left', 'not_reported'], ['2', 'rating', 'left', 'edited_since'], ['2', 'caption', 'left', 'not_reported'],
    ]);
    expect(store.runs.changes('s').map(brief)).toEqual([['1', 'rating', null, null]]);
    expect(store.runs.get('s')).toMatchObject({ status: 'open', undone_at: null, restored: 0, left: 0 });
    expect(store.runs.get('r')).toMatchObject({ status: 'partly_undone', undone_at: day(2), restored: 1, left: 3 });
  });
});
