import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../daemon/events/bus.js';
import { RunDetailResponse, RunListResponse, RunResponse } from '../../daemon/schemas/runs.js';
import { ServerEvent } from '../../daemon/schemas/events.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';

const START = Date.parse('2026-11-01T10:00:00.000Z');
const DAY = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let nowMs = START;
let t: TestDaemon;
let db: Database.Database;
const events: BusEvent[] = [];

beforeAll(async () => {
  t = await startTestDaemon({ clock: { now: () => new Date(nowMs) } });
  db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
  t.daemon.events.subscribe((e) => e.type.startsWith('run.') && events.push(e));
});
afterAll(async () => {
  db.close();
  await t.close();
});
beforeEach(() => {
  events.length = 0;
});

async function newRun(body: Record<string, unknown> = { kind: 'apply', model: 'gemma3:4b', source: 'review' }): Promise<string> {
  const r = await t.req('POST', '/api/runs', { body });
  expect(r.status).toBe(201);
  return RunResponse.parse(r.body).run.id;
}

const changeRows = (id: string) =>
  db.prepare('SELECT photo_id, field, before, after, keywords_added, keywords_created, undo, undo_reason FROM run_changes WHERE run_id = ? ORDER BY id').all(id);

const APPLIED = [
  { photo_id: '101', field: 'rating', before: 0, after: 4 },
  { photo_id: '101', field: 'keywords', before: ['Places|Kyoto'], after: ['Places|Kyoto', 'Junmai AI|temple'], keywords_added: ['Junmai AI|temple'], keywords_created: ['Junmai AI|temple'] },
  { photo_id: '102', field: 'pick', before: 0, after: -1 },
  { photo_id: '102', field: 'caption', before: null, after: 'A temple gate at dusk.' },
];

describe('recording a run', () => {
  it('creates an open run with nothing in it yet: 201, the row in SQLite and run.recorded', async () => {
    nowMs = START;
    const r = await t.req('POST', '/api/runs', { body: { kind: 'apply', model: 'gemma3:4b', source: 'export' } });
    expect(r.status).toBe(201);
    const id = r.body.run.id as string;
    expect(id).toMatch(UUID);
    expect(r.body).toEqual({
      success: true,
      run: {
        id, kind: 'apply', model: 'gemma3:4b', source: 'export', status: 'open', photo_count: 0, change_count: 0, fields: [],
        created_at: '2026-11-01T10:00:00.000Z', undone_at: null, undo: null,
      },
    });
    expect(db.prepare('SELECT * FROM runs WHERE id = ?').get(id)).toEqual({
      id, kind: 'apply', model: 'gemma3:4b', source: 'export', status: 'open', created_at: '2026-11-01T10:00:00.000Z', undone_at: null,
    });
    expect(events.map((e) => ServerEvent.parse(e).type)).toEqual(['run.recorded']);
  });

  it('records each change with its value before and after, as JSON of the value Lightroom holds', async () => {
    const id = await newRun({ kind: 'evaluate', model: null });
    const r = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: APPLIED } });
    expect(r.status).toBe(200);
    expect(r.body.run).toMatchObject({ kind: 'evaluate', model: null, source: null, status: 'open', photo_count: 2, change_count: 4, fields: ['rating', 'pick', 'caption', 'keywords'] });
    expect(changeRows(id)).toEqual([
      { photo_id: '101', field: 'rating', before: '0', after: '4', keywords_added: '[]', keywords_created: '[]', undo: null, undo_reason: null },
      {
        photo_id: '101', field: 'keywords', before: '["Places|Kyoto"]', after: '["Places|Kyoto","Junmai AI|temple"]',
        keywords_added: '["Junmai AI|temple"]', keywords_created: '["Junmai AI|temple"]', undo: null, undo_reason: null,
      },
      { photo_id: '102', field: 'pick', before: '0', after: '-1', keywords_added: '[]', keywords_created: '[]', undo: null, undo_reason: null },
      { photo_id: '102', field: 'caption', before: 'null', after: '"A temple gate at dusk."', keywords_added: '[]', keywords_created: '[]', undo: null, undo_reason: null },
    ]);
    const g = await t.req('GET', `/api/runs/${id}`);
    expect(g.status).toBe(200);
    expect(RunDetailResponse.parse(g.body).changes).toEqual([
      { photo_id: '101', field: 'rating', before: 0, after: 4, keywords_added: [], keywords_created: [], undo: null, undo_reason: null },
      { ...APPLIED[1], undo: null, undo_reason: null },
      { photo_id: '102', field: 'pick', before: 0, after: -1, keywords_added: [], keywords_created: [], undo: null, undo_reason: null },
      { photo_id: '102', field: 'caption', before: null, after: 'A temple gate at dusk.', keywords_added: [], keywords_created: [], undo: null, undo_reason: null },
    ]);
  });

  it('keeps the first value before when a photo and field come again, takes the new after and joins the keywords', async () => {
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[0], APPLIED[1]] } });
    const again = [
      { photo_id: '101', field: 'rating', before: 4, after: 5 },
      { photo_id: '101', field: 'keywords', before: ['Places|Kyoto', 'Junmai AI|temple'], after: ['Places|Kyoto', 'Junmai AI|temple', 'Nature|moss'], keywords_added: ['Nature|moss'] },
    ];
    const r = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: again } });
    expect(r.body.run).toMatchObject({ photo_count: 1, change_count: 2 });
    expect(changeRows(id)).toEqual([
      { photo_id: '101', field: 'rating', before: '0', after: '5', keywords_added: '[]', keywords_created: '[]', undo: null, undo_reason: null },
      {
        photo_id: '101', field: 'keywords', before: '["Places|Kyoto"]', after: '["Places|Kyoto","Junmai AI|temple","Nature|moss"]',
        keywords_added: '["Junmai AI|temple","Nature|moss"]', keywords_created: '["Junmai AI|temple"]', undo: null, undo_reason: null,
      },
    ]);
  });

  it.each([
    ['a rating of 6', { photo_id: '1', field: 'rating', before: 0, after: 6 }, 'changes[1].after must be at most 5.'],
    ['a pick of 2', { photo_id: '1', field: 'pick', before: 0, after: 2 }, 'changes[1].after must be at most 1.'],
    ['keywords as text', { photo_id: '1', field: 'keywords', before: [], after: 'temple' }, 'changes[1].after must be a list.'],
    ['a caption as a number', { photo_id: '1', field: 'caption', before: null, after: 3 }, 'changes[1].after must be text.'],
    ['an unknown field', { photo_id: '1', field: 'label', before: null, after: 'Red' }, 'changes[1].field must name a field: one of rating, pick, title, caption, keywords.'],
    ['keywords added by a rating', { photo_id: '1', field: 'rating', before: 0, after: 3, keywords_added: ['x'] }, 'changes[1].keywords_added: only a keywords change can add or create keywords.'],
    ['no photo', { photo_id: '', field: 'rating', before: 0, after: 3 }, 'changes[1].photo_id must not be empty.'],
  ])('refuses %s with 400 INVALID_REQUEST naming the field, and records nothing', async (_what, change, sentence) => {
    const id = await newRun();
    const r = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[0], change] } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ success: false, code: 'INVALID_REQUEST' });
    expect(r.body.error).toContain(sentence);
    expect(changeRows(id)).toEqual([]);
  });

  it('refuses the same photo and field twice in one request, and more than 1,000 changes at once', async () => {
    const id = await newRun();
    const twice = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[0], { ...APPLIED[0], after: 2 }] } });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toContain('changes: name each photo and field once per request.');
    const many = Array.from({ length: 1001 }, (_, i) => ({ photo_id: String(i), field: 'rating', before: 0, after: 1 }));
    const tooMany = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: many } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toContain('changes must have at most 1000 items.');
    const thousand = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: many.slice(0, 1000) } });
    expect(thousand.status).toBe(200);
    expect(thousand.body.run).toMatchObject({ photo_count: 1000, change_count: 1000, fields: ['rating'] });
  });

  it('answers 404 RUN_NOT_FOUND for a run it does not know, and 400 for a kind it does not know', async () => {
    const r = await t.req('POST', '/api/runs/no-such-run/changes', { body: { changes: [APPLIED[0]] } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      success: false, code: 'RUN_NOT_FOUND', error: 'There is no AI run with this id. Runs older than 90 days, or beyond the newest 200, are no longer kept.',
      details: { run_id: 'no-such-run' },
    });
    expect((await t.req('GET', '/api/runs/no-such-run')).status).toBe(404);
    const kind = await t.req('POST', '/api/runs', { body: { kind: 'guess', model: null } });
    expect(kind.status).toBe(400);
    expect(kind.body.error).toContain('kind must be one of apply, evaluate.');
    const source = await t.req('POST', '/api/runs', { body: { kind: 'apply', model: null, source: 'x'.repeat(81) } });
    expect(source.status).toBe(400);
    expect(source.body.error).toContain('source must be at most 80 characters long.');
    const bare = await t.req('POST', '/api/runs', { body: { kind: 'apply' } });
    expect(bare.status).toBe(201);
    expect(bare.body.run).toMatchObject({ model: null, source: null });
  });
});

describe('undoing a run', () => {
  it('records what was restored and what was left, and why; a change not named was left too', async () => {
    nowMs = START + 1000;
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: APPLIED } });
    nowMs = START + 60_000;
    events.length = 0;
    const r = await t.req('POST', `/api/runs/${id}/undo`, {
      body: {
        outcomes: [
          { photo_id: '101', field: 'rating', outcome: 'restored' },
          { photo_id: '101', field: 'keywords', outcome: 'restored', reason: null },
          { photo_id: '102', field: 'pick', outcome: 'left', reason: 'edited_since' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: true,
      run: {
        id, kind: 'apply', model: 'gemma3:4b', source: 'review', status: 'partly_undone', photo_count: 2, change_count: 4,
        fields: ['rating', 'pick', 'caption', 'keywords'], created_at: '2026-11-01T10:00:01.000Z', undone_at: '2026-11-01T10:01:00.000Z',
        undo: { restored: 2, left: 2 },
      },
    });
    expect(changeRows(id).map((c) => [(c as { field: string }).field, (c as { undo: string }).undo, (c as { undo_reason: string }).undo_reason])).toEqual([
      ['rating', 'restored', null], ['keywords', 'restored', null], ['pick', 'left', 'edited_since'], ['caption', 'left', 'not_reported'],
    ]);
    expect(db.prepare('SELECT status, undone_at FROM runs WHERE id = ?').get(id)).toEqual({ status: 'partly_undone', undone_at: '2026-11-01T10:01:00.000Z' });
    expect(events.map((e) => [e.type, (e.data.run as { status: string }).status])).toEqual([['run.undone', 'partly_undone']]);
    const detail = RunDetailResponse.parse((await t.req('GET', `/api/runs/${id}`)).body);
    expect(detail.changes.map((c) => [c.field, c.undo, c.undo_reason])).toEqual([
      ['rating', 'restored', null], ['keywords', 'restored', null], ['pick', 'left', 'edited_since'], ['caption', 'left', 'not_reported'],
    ]);
  });

  it('is undone when every change was restored; a second undo and more changes are 409 RUN_ALREADY_UNDONE', async () => {
    nowMs = START + 2000;
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: APPLIED.slice(0, 2) } });
    const outcomes = APPLIED.slice(0, 2).map((c) => ({ photo_id: c.photo_id, field: c.field, outcome: 'restored' }));
    const r = await t.req('POST', `/api/runs/${id}/undo`, { body: { outcomes } });
    expect(r.body.run).toMatchObject({ status: 'undone', undo: { restored: 2, left: 0 }, undone_at: '2026-11-01T10:00:02.000Z' });
    const twice = await t.req('POST', `/api/runs/${id}/undo`, { body: { outcomes } });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({
      success: false, code: 'RUN_ALREADY_UNDONE', error: 'This AI run was already undone (2026-11-01T10:00:02.000Z); it cannot be changed or undone again.',
      details: { run_id: id, status: 'undone' },
    });
    const more = await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[2]] } });
    expect(more.status).toBe(409);
    expect(more.body.code).toBe('RUN_ALREADY_UNDONE');
    expect(changeRows(id)).toHaveLength(2);
  });

  it('refuses an outcome for a change the run did not record with a sentence naming it, and records nothing', async () => {
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[0]] } });
    const r = await t.req('POST', `/api/runs/${id}/undo`, {
      body: { outcomes: [{ photo_id: '101', field: 'rating', outcome: 'restored' }, { photo_id: '101', field: 'title', outcome: 'restored' }] },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      success: false, code: 'INVALID_REQUEST',
      error: 'This run did not change the title of photo 101, so there is nothing of it to undo. Nothing was recorded.',
      details: { run_id: id, photo_id: '101', field: 'title' },
    });
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(id)).toBe('open');
    expect(changeRows(id)).toEqual([{ photo_id: '101', field: 'rating', before: '0', after: '4', keywords_added: '[]', keywords_created: '[]', undo: null, undo_reason: null }]);
  });

  it.each([
    ['a reason on a restored change', { photo_id: '101', field: 'rating', outcome: 'restored', reason: 'other' }, 'outcomes[0].reason: a reason is only given for a change that was left.'],
    ['an unknown outcome', { photo_id: '101', field: 'rating', outcome: 'maybe' }, 'outcomes[0].outcome must be one of restored, left.'],
    ['an unknown reason', { photo_id: '101', field: 'rating', outcome: 'left', reason: 'tired' }, 'outcomes[0].reason must be one of edited_since, photo_missing, other.'],
  ])('refuses %s with 400', async (_what, outcome, sentence) => {
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: [APPLIED[0]] } });
    const r = await t.req('POST', `/api/runs/${id}/undo`, { body: { outcomes: [outcome] } });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(sentence);
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(id)).toBe('open');
  });
});

describe('listing, keeping and pruning runs', () => {
  it('lists runs newest first, up to the limit', async () => {
    nowMs = START + 10 * DAY;
    const a = await newRun({ kind: 'apply', model: 'a', source: 'export' });
    nowMs += 1000;
    const b = await newRun({ kind: 'evaluate', model: 'b' });
    const r = await t.req('GET', '/api/runs?limit=2');
    expect(r.status).toBe(200);
    const list = RunListResponse.parse(r.body);
    expect(list.count).toBe(2);
    expect(list.runs.map((x) => [x.id, x.model])).toEqual([[b, 'b'], [a, 'a']]);
    expect((await t.req('GET', '/api/runs?limit=0')).status).toBe(400);
  });

  it('keeps runs across a restart of the daemon', async () => {
    const id = await newRun();
    await t.req('POST', `/api/runs/${id}/changes`, { body: { changes: APPLIED } });
    const before = (await t.req('GET', `/api/runs/${id}`)).body;
    db.close();
    await t.restart();
    db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
    t.daemon.events.subscribe((e) => e.type.startsWith('run.') && events.push(e));
    const after = await t.req('GET', `/api/runs/${id}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
  });

  it('forgets runs older than 90 days when a run is recorded, and at start', async () => {
    nowMs = START + 20 * DAY;
    const old = await newRun();
    await t.req('POST', `/api/runs/${old}/changes`, { body: { changes: APPLIED } });
    nowMs = START + 20 * DAY + 90 * DAY - 1;
    const recent = await newRun();
    expect((await t.req('GET', `/api/runs/${old}`)).status).toBe(200);
    nowMs += 2;
    await newRun();
    expect((await t.req('GET', `/api/runs/${old}`)).status).toBe(404);
    expect(changeRows(old)).toEqual([]);
    nowMs = START + 20 * DAY + 180 * DAY;
    db.close();
    await t.restart();
    db = new Database(join(t.dataDir, 'junmai.db'), { readonly: true, fileMustExist: true });
    expect((await t.req('GET', `/api/runs/${recent}`)).status).toBe(404);
  });

  it('keeps the newest 200 runs', async () => {
    nowMs = START + 300 * DAY;
    const ids: string[] = [];
    for (let i = 0; i < 201; i++) {
      nowMs += 1000;
      ids.push(await newRun());
    }
    expect(db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(200);
    expect((await t.req('GET', `/api/runs/${ids[0]}`)).status).toBe(404);
    expect((await t.req('GET', `/api/runs/${ids[1]}`)).status).toBe(200);
    const list = RunListResponse.parse((await t.req('GET', '/api/runs?limit=200')).body);
    expect(list.runs[0]?.id).toBe(ids[200]);
    expect(list.runs[199]?.id).toBe(ids[1]);
  });
});
