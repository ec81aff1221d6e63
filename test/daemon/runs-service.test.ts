import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../daemon/errors.js';
import { EventBus, type BusEvent } from '../../daemon/events/bus.js';
import { RunsService } from '../../daemon/runs/service.js';
import { MAX_CHANGES_PER_RUN } from '../../daemon/schemas/runs.js';
import { DB_FILE_NAME } from '../../daemon/store/db.js';
import { Store } from '../../daemon/store/store.js';

// The service over a real store, with a clock of its own: the limits and the retention by value.

const START = Date.parse('2026-11-01T10:00:00.000Z');
const DAY = 86_400_000;
let nowMs = START;
let dir: string;
let store: Store;
let runs: RunsService;
let events: BusEvent[];
beforeEach(() => {
  nowMs = START;
  dir = mkdtempSync(join(tmpdir(), 'junmai-runs-service-'));
  store = Store.open(dir);
  const bus = new EventBus();
  events = [];
  bus.subscribe((e) => events.push(e));
  runs = new RunsService({ store, clock: { now: () => new Date(nowMs) }, events: bus });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const thrown = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('nothing was thrown');
};

describe('a run at its size limit', () => {
  it(`takes changes up to ${MAX_CHANGES_PER_RUN.toLocaleString('en-US')} and refuses one more, recording none of the request`, () => {
    const id = runs.create({ kind: 'apply', model: 'm' }).id;
    // Filled in one statement: the limit is what is tested, not the speed of 100 requests.
    const raw = new Database(join(dir, DB_FILE_NAME));
    raw.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO run_changes (run_id, photo_id, field, before, after) SELECT ?, 'p' || i, 'rating', '0', '1' FROM n`,
    ).run(MAX_CHANGES_PER_RUN - 2, id);
    raw.close();
    const two = [{ photo_id: 'x', field: 'rating' as const, before: 0, after: 1 }, { photo_id: 'y', field: 'rating' as const, before: 0, after: 1 }];
    const e = thrown(() => runs.append(id, { changes: [...two, { photo_id: 'z', field: 'rating', before: 0, after: 1 }] }));
    expect([e.code, e.message, e.details]).toEqual([
      'INVALID_REQUEST', 'A run holds at most 100,000 changes; record the rest in a new run.',
      { run_id: id, change_count: MAX_CHANGES_PER_RUN - 2, max: MAX_CHANGES_PER_RUN },
    ]);
    expect(runs.detail(id).run.change_count).toBe(MAX_CHANGES_PER_RUN - 2);
    expect(runs.append(id, { changes: two }).change_count).toBe(MAX_CHANGES_PER_RUN);
  });
});

describe('retention', () => {
  it(`prunes runs older than 90 days and says how many went`, () => {
    const old = runs.create({ kind: 'evaluate' }).id;
    nowMs += DAY;
    const kept = runs.create({ kind: 'apply', model: 'm', source: 's' }).id;
    nowMs = START + 90 * DAY;
    expect(runs.prune()).toBe(0);
    nowMs += 1;
    expect(runs.prune()).toBe(1);
    expect(runs.list(10).map((r) => [r.id, r.kind, r.model, r.source])).toEqual([[kept, 'apply', 'm', 's']]);
    expect(thrown(() => runs.detail(old)).code).toBe('RUN_NOT_FOUND');
  });
});

describe('an undo', () => {
  it('is undone when every change was restored, whether named one by one or not', () => {
    const id = runs.create({ kind: 'apply' }).id;
    const appended = runs.append(id, { changes: [{ photo_id: '1', field: 'rating', before: 0, after: 3 }, { photo_id: '1', field: 'title', before: null, after: 't' }] });
    expect(appended).toMatchObject({ status: 'open', change_count: 2, photo_count: 1, fields: ['rating', 'title'], undo: null });
    expect(events.map((e) => [e.type, e.data])).toEqual([['run.recorded', { run: { ...appended, change_count: 0, photo_count: 0, fields: [] } }], ['run.recorded', { run: appended }]]);
    events.length = 0;
    nowMs += 5000;
    const run = runs.undo(id, { outcomes: [{ photo_id: '1', field: 'title', outcome: 'restored' }, { photo_id: '1', field: 'rating', outcome: 'restored' }] });
    expect(run).toEqual({
      id, kind: 'apply', model: null, source: null, status: 'undone', photo_count: 1, change_count: 2, fields: ['rating', 'title'],
      created_at: '2026-11-01T10:00:00.000Z', undone_at: '2026-11-01T10:00:05.000Z', undo: { restored: 2, left: 0 },
    });
    expect(events.map((e) => [e.type, e.data])).toEqual([['run.undone', { run }]]);
    expect(runs.detail(id).changes.map((c) => [c.field, c.undo, c.undo_reason])).toEqual([['rating', 'restored', null], ['title', 'restored', null]]);
  });

  it('counts a change left as left with its reason, and is partly undone', () => {
    const id = runs.create({ kind: 'apply' }).id;
    runs.append(id, { changes: [{ photo_id: '1', field: 'rating', before: 0, after: 3 }, { photo_id: '2', field: 'rating', before: 0, after: 3 }] });
    const run = runs.undo(id, { outcomes: [{ photo_id: '1', field: 'rating', outcome: 'left', reason: 'photo_missing' }, { photo_id: '2', field: 'rating', outcome: 'left' }] });
    expect([run.status, run.undo]).toEqual(['partly_undone', { restored: 0, left: 2 }]);
    expect(runs.detail(id).changes.map((c) => [c.photo_id, c.undo, c.undo_reason])).toEqual([['1', 'left', 'photo_missing'], ['2', 'left', null]]);
  });

  it('of a run with no changes is undone, and a second one is refused naming when', () => {
    const id = runs.create({ kind: 'apply' }).id;
    nowMs += 1000;
    expect(runs.undo(id, { outcomes: [] }).status).toBe('undone');
    const e = thrown(() => runs.undo(id, { outcomes: [] }));
    expect([e.code, e.message, e.details]).toEqual([
      'RUN_ALREADY_UNDONE', 'This AI run was already undone (2026-11-01T10:00:01.000Z); it cannot be changed or undone again.', { run_id: id, status: 'undone' },
    ]);
  });
});
