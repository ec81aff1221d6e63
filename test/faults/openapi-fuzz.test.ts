import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../daemon/store/db.js';
import { startTestDaemon, type TestDaemon } from '../support/daemon.js';
import { tinyJpeg } from '../support/images.js';
import { seededRandom } from '../../daemon/compare/stats.js';

/**
 * Requests generated from the served OpenAPI document itself: every operation, with bodies,
 * queries and path parameters that follow its schemas and ones that break them in every way a
 * schema can be broken. Each answer must be one the document declares, in the error shape when
 * it is a refusal, and a refused request must leave the store as it was.
 */
const REQUESTS = 10_500;
const SEED = 20261130;

// JSON Schema as the document has it; only the keywords the generator reads.
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
}
interface Parameter { in: 'path' | 'query'; name: string; required?: boolean; schema: Schema }
interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body?: Schema;
  statuses: Set<number>;
}

let t: TestDaemon;
let ops: Operation[];
let imageDir: string;
const tally = { requests: 0, valid: 0, invalid: 0, ok: 0, refused: 0, byOperation: new Map<string, number>() };

const rnd = seededRandom(SEED);
const chance = (p: number) => rnd() < p;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

const MODELS = ['gemma3:4b', 'llama3.1:8b', 'qwen2.5vl:7b', 'llama3.1:8b-instruct', 'GEMMA3:4B', 'library/gemma3:4b', 'hf.co/user/repo:q4', 'tiny-vision:1b', 'x', 'no-such:1b'];
const ODD_STRINGS = ['', ' ', '..', '../../etc/passwd', '%00', '\u0000', 'é'.repeat(40), '😀', '<script>', "' OR 1=1 --", 'a'.repeat(129), 'a'.repeat(5000), '\n', '{}', 'null'];
const EXTREME_NUMBERS = [-1, -0, 0, Number.MIN_VALUE, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 63, 1e21];

function text(min = 0, max = 24): string {
  const n = int(min, Math.min(max, min + 24));
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(pick([int(97, 122), int(48, 57), int(32, 126), int(0x80, 0x2fff)]));
  return s;
}

/** A value the schema accepts; `field` steers strings to ones that mean something to the daemon. */
function valid(schema: Schema, field = ''): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return valid(pick(alternatives.filter((a) => a.type !== 'null').length ? alternatives : alternatives), field);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(k) || chance(0.5)) out[k] = valid(v, k);
      }
      return out;
    }
    case 'array': {
      const n = int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, (schema.minItems ?? 0) + 4));
      return Array.from({ length: n }, () => valid(schema.items ?? {}, field));
    }
    case 'string':
      if (field === 'model' || field === 'models') return pick(MODELS);
      if (field === 'image_base64') return tinyJpeg(int(0, 3)).toString('base64');
      if (field === 'image_path') return chance(0.7) ? join(imageDir, 'photo.jpg') : join(imageDir, 'missing.jpg');
      if (schema.format === 'date-time') return new Date(Date.now() - int(0, 1e9)).toISOString();
      if (schema.pattern) return pick(['English', 'Deutsch', 'français']);
      return text(schema.minLength ?? 0, schema.maxLength ?? 24);
    case 'integer':
    case 'number': {
      const lo = (schema.minimum ?? 0) + (schema.exclusiveMinimum === true ? (schema.type === 'integer' ? 1 : 0.001) : 0);
      const hi = schema.maximum ?? 1e6;
      const edge = pick([lo, hi, lo + (hi - lo) * rnd()]);
      return schema.type === 'integer' ? Math.min(hi, Math.max(lo, Math.round(edge))) : edge;
    }
    case 'boolean':
      return chance(0.5);
    default:
      return pick([1, 'x', true, null, {}, []]);
  }
}

/** A value the schema refuses, or at least one at the edge of what it takes. */
function invalid(schema: Schema, field = ''): unknown {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return invalid(pick(alternatives), field);
  const wrongType = () => pick<unknown>([null, 0, -1, 'text', true, [], {}, [1, 2], 1e308, ...ODD_STRINGS]);
  if (schema.enum) return chance(0.5) ? `${String(pick(schema.enum))}x` : wrongType();
  switch (schema.type) {
    case 'object': {
      const base = valid(schema, field) as Record<string, unknown>;
      const keys = Object.keys(schema.properties ?? {});
      const how = int(0, 4);
      if (how === 0 || keys.length === 0) return wrongType();
      const k = pick(keys);
      if (how === 1 && schema.required?.length) delete base[pick(schema.required)];
      else if (how === 2) base[k] = invalid((schema.properties ?? {})[k] ?? {}, k);
      else if (how === 3) base[k] = wrongType();
      else base[`${k}_${text(1, 6)}`] = wrongType();
      return base;
    }
    case 'array':
      return pick<unknown>([wrongType(), Array.from({ length: (schema.maxItems ?? 4) + 1 }, () => valid(schema.items ?? {}, field)), [wrongType()], []]);
    case 'string':
      return pick<unknown>([wrongType(), 'x'.repeat((schema.maxLength ?? 4096) + 1), ...(schema.minLength ? [''] : []), pick(ODD_STRINGS), 12345]);
    case 'integer':
    case 'number':
      return pick<unknown>([(schema.maximum ?? 1e6) + 1, (schema.minimum ?? 0) - 1, pick(EXTREME_NUMBERS), 1.5, '12', wrongType()]);
    case 'boolean':
      return pick<unknown>(['true', 1, 0, null]);
    default:
      return wrongType();
  }
}

/**
 * Everything a request could change, as one string; jobs and usage rows by aggregates, which grow
 * long. `synced` leaves out when Ollama's models were last read: a comparison reads them again
 * before it refuses a model as not installed, which is a read, not a change.
 */
function snapshot(synced = true): string {
  const rows = ['models', 'settings', 'usage_totals'].map((name) =>
    (db().prepare(`SELECT * FROM ${name} ORDER BY 1`).all() as Record<string, unknown>[]).map(({ synced_at, ...row }) => (synced ? { ...row, synced_at } : row)),
  );
  const jobs = db().prepare('SELECT count(*) AS n, max(updated_at) AS updated, group_concat(DISTINCT status) AS statuses FROM download_jobs').get();
  const runs = db().prepare('SELECT count(*) AS n, max(updated_at) AS updated, group_concat(DISTINCT status) AS statuses FROM compare_runs').get();
  const calibrations = db().prepare('SELECT * FROM calibrations ORDER BY 1').all();
  return JSON.stringify([rows, jobs, runs, calibrations, db().prepare('SELECT count(*) AS n, max(id) AS last FROM usage').get()]);
}
const db = () => (t.daemon.store as unknown as { db: Db }).db;

/** Ids that exist, for the operation's kind of id: download jobs or comparison runs. */
function knownIds(path: string): string[] {
  const table = path.startsWith('/api/compare') ? 'compare_runs' : 'download_jobs';
  return (db().prepare(`SELECT id FROM ${table} ORDER BY rowid DESC LIMIT 20`).pluck().all() as string[]);
}

function pathValue(path: string, p: Parameter, good: boolean): string {
  if (p.name === 'name') return good ? pick([encodeURIComponent(pick(MODELS)), pick(MODELS)]) : encodeURIComponent(pick([...ODD_STRINGS.filter(Boolean), text(1, 40)]));
  const ids = knownIds(path);
  if (good && ids.length > 0 && chance(0.7)) return pick(ids);
  return encodeURIComponent(good ? text(1, 40) : pick(['a'.repeat(65), text(1, 80), '%', '..', ' ']));
}

function queryValue(p: Parameter, good: boolean): string {
  const v = good ? valid(p.schema, p.name) : invalid(p.schema, p.name);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function buildRequest(op: Operation, good: boolean) {
  let url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => pathValue(op.path, op.parameters.find((p) => p.in === 'path' && p.name === name) as Parameter, good || chance(0.5)));
  const query = new URLSearchParams();
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    if (p.required || chance(0.5)) query.append(p.name, queryValue(p, good || chance(0.5)));
  }
  if (!good && chance(0.1)) query.append(text(1, 8), text(0, 8));
  if (query.size > 0) url += `?${query.toString()}`;
  const headers: Record<string, string> = { host: pick(['localhost', '127.0.0.1:5100', '[::1]']) };
  let payload: string | undefined;
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method)) {
    headers['content-type'] = good || chance(0.9) ? 'application/json' : pick(['text/plain', 'application/x-www-form-urlencoded', '']);
    if (op.body) {
      if (op.operationId === 'importMetadata') payload = JSON.stringify(good ? importDocument() : invalid({ type: 'object', properties: { models: { type: 'object' }, format: { type: 'string' } } }));
      else payload = !good && chance(0.1) ? pick(['{', '{"model":', 'nul', '[1,]', '\u0000', '{"a":1}{"b":2}']) : JSON.stringify(good ? valid(op.body) : invalid(op.body));
    } else payload = good || chance(0.5) ? '{}' : JSON.stringify(invalid({ type: 'object' }));
  }
  return { method: op.method, url, headers, payload };
}

let lastExport: unknown;
function importDocument(): unknown {
  if (lastExport && chance(0.5)) return lastExport;
  const models: Record<string, unknown> = {};
  for (let i = int(0, 3); i > 0; i--) models[pick(['gemma3:4b', 'llama3.1:8b', 'qwen2.5vl:7b'])] = { purpose: pick(['speed', 'balanced', 'quality']), usage_count: int(0, 1000), avg_inference_time: rnd() * 60, success_rate: rnd() };
  return { current_model: chance(0.5) ? pick(['gemma3:4b', 'llama3.1:8b']) : null, models };
}

beforeAll(async () => {
  imageDir = mkdtempSync(join(tmpdir(), 'junmai-fuzz-'));
  writeFileSync(join(imageDir, 'photo.jpg'), tinyJpeg(7));
  t = await startTestDaemon({ installed: ['gemma3:4b', 'llama3.1:8b', 'qwen2.5vl:7b'] });
  // Pulls never progress, so a download a request starts changes nothing after its 202.
  t.emu.fault('pull', { kind: 'hang' });
  // A comparison a request starts runs to its end before the next request (see settled below), so
  // what it writes never lands inside another request's before-and-after and the seed decides it all.
  const doc = (await t.req('GET', '/docs/json')).body as { paths: Record<string, Record<string, { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> }>> };
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      operationId: op.operationId,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema,
      statuses: new Set(Object.keys(op.responses).map(Number)),
    })),
  );
});

/** Warm-ups and comparison runs a request set going have finished. */
async function settled(): Promise<void> {
  await t.daemon.warmup.settled();
  await t.daemon.compare.settled();
}

afterAll(async () => {
  const per = [...tally.byOperation.values()];
  console.log(
    `[faults] OpenAPI fuzz (seed ${SEED}): ${tally.requests} requests over ${tally.byOperation.size} operations (${Math.min(...per)}–${Math.max(...per)} each), ` +
      `${tally.valid} following the schemas and ${tally.invalid} breaking them; ${tally.ok} accepted, ${tally.refused} refused, every answer declared by the document`,
  );
  await t?.close();
  rmSync(imageDir, { recursive: true, force: true });
});

describe('hostile input generated from the OpenAPI document', () => {
  it(`${REQUESTS} seeded requests to every operation, valid and invalid`, async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const op = ops[i % ops.length] as Operation;
      const good = chance(0.5);
      const req = buildRequest(op, good);
      await settled();
      const syncs = op.operationId === 'startComparison';
      const before = snapshot(!syncs);
      const lastUsage = db().prepare('SELECT coalesce(max(id), 0) FROM usage').pluck().get() as number;
      const r = await t.daemon.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
      await settled();
      const what = `#${i} ${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 200) ?? ''} → ${r.statusCode} ${r.body.slice(0, 300)}`;
      tally.requests++;
      tally[good ? 'valid' : 'invalid']++;
      tally.byOperation.set(op.operationId, (tally.byOperation.get(op.operationId) ?? 0) + 1);
      expect(r.statusCode, what).toBeLessThan(500);
      expect(op.statuses.has(r.statusCode), `${what}: status not in the document`).toBe(true);
      expect(r.body, what).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|SqliteError|TypeError|FST_ERR/);
      const body = JSON.parse(r.body) as { success: boolean; code?: string; error?: string };
      if (r.statusCode >= 400) {
        tally.refused++;
        expect(body.success, what).toBe(false);
        expect(body.code, what).toMatch(/^[A-Z_]+$/);
        expect(typeof body.error, what).toBe('string');
        if (op.operationId === 'evaluatePhoto') {
          // A refused photo is recorded so the photographer can see it, but never as the model's fault.
          expect(db().prepare("SELECT count(*) FROM usage WHERE id > ? AND (fault IS NULL OR fault != 'caller')").pluck().get(lastUsage), what).toBe(0);
        } else expect(snapshot(!syncs), `${what}: a refused request changed the store`).toBe(before);
      } else {
        tally.ok++;
        expect(body.success, what).toBe(true);
        if (op.operationId === 'exportMetadata') lastExport = (body as unknown as { document: unknown }).document;
      }
      // Put back what deletes took away now and then, so later requests still reach models that exist.
      if (i % 1000 === 999) {
        for (const m of ['gemma3:4b', 'llama3.1:8b', 'qwen2.5vl:7b']) if (!t.emu.isInstalled(m)) t.emu.install(m);
        await t.req('POST', '/api/model/sync', { body: {} });
      }
    }
    expect(tally.byOperation.size).toBe(ops.length);
  }, 600_000);
});
