import { isRecord } from './util.js';

/**
 * Makes a value that satisfies a JSON schema, standing in for Ollama's grammar-constrained
 * sampling. Covers what structured-output callers send (including zod's and pydantic's output):
 * object/properties/required, $ref into $defs/definitions, enum/const, anyOf/oneOf/allOf,
 * nullable type lists, strings (min/maxLength, common formats), integers and numbers
 * (minimum/maximum, exclusive bounds, multipleOf), booleans, arrays (items, prefixItems,
 * min/maxItems, uniqueItems). `pattern` is not honoured.
 */
export function sampleFromSchema(schema: unknown, seed = 1): unknown {
  return new Sampler(schema, seed).sample(schema, 0);
}

const WORDS = ['sunset', 'portrait', 'harbor', 'mountain', 'street', 'forest', 'studio', 'festival', 'window', 'meadow'];
const MAX_DEPTH = 12;

class Sampler {
  private state: number;

  constructor(private readonly root: unknown, seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: small, seeded, good enough to vary answers between prompts. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  sample(schema: unknown, depth: number): unknown {
    if (schema === true || schema === undefined || (isRecord(schema) && Object.keys(schema).length === 0)) return 'value';
    if (!isRecord(schema)) return null;
    if (typeof schema.$ref === 'string') return depth > MAX_DEPTH ? null : this.sample(this.resolve(schema.$ref), depth + 1);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return this.pick(schema.enum);
    const choice = (schema.anyOf ?? schema.oneOf) as unknown;
    if (Array.isArray(choice) && choice.length > 0) {
      const concrete = choice.filter((s) => !(isRecord(s) && s.type === 'null'));
      return this.sample(concrete[0] ?? choice[0], depth + 1);
    }
    if (Array.isArray(schema.allOf)) return this.sample(this.merge(schema), depth + 1);

    switch (this.typeOf(schema)) {
      case 'object':
        return depth > MAX_DEPTH ? {} : this.object(schema, depth);
      case 'array':
        return depth > MAX_DEPTH ? [] : this.array(schema, depth);
      case 'string':
        return this.string(schema);
      case 'integer':
        return this.number(schema, true);
      case 'number':
        return this.number(schema, false);
      case 'boolean':
        return this.random() < 0.5;
      case 'null':
        return null;
      default:
        return 'value';
    }
  }

  private typeOf(schema: Record<string, unknown>): string | undefined {
    const type = schema.type;
    if (typeof type === 'string') return type;
    if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
    if (isRecord(schema.properties)) return 'object';
    if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
    return undefined;
  }

  private resolve(ref: string): unknown {
    if (!ref.startsWith('#')) return {};
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = isRecord(node) ? node[key] : undefined;
    }
    return node ?? {};
  }

  private merge(schema: Record<string, unknown>): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...schema, allOf: undefined, properties: {}, required: [] };
    for (const part of [schema, ...(schema.allOf as unknown[])]) {
      const p = isRecord(part) && typeof part.$ref === 'string' ? this.resolve(part.$ref) : part;
      if (!isRecord(p)) continue;
      for (const [k, v] of Object.entries(p)) if (!['allOf', 'properties', 'required'].includes(k)) merged[k] = v;
      Object.assign(merged.properties as object, isRecord(p.properties) ? p.properties : {});
      (merged.required as unknown[]).push(...(Array.isArray(p.required) ? p.required : []));
    }
    delete merged.allOf;
    return merged;
  }

  private object(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const properties = isRecord(schema.properties) ? schema.properties : {};
    // A constrained model writes every declared property; required ones come first as the grammar orders them.
    const required = Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];
    const keys = [...required, ...Object.keys(properties).filter((k) => !required.includes(k))];
    for (const key of keys) out[key] = this.sample(properties[key] ?? {}, depth + 1);
    return out;
  }

  private array(schema: Record<string, unknown>, depth: number): unknown[] {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const min = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 1, prefix.length);
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
    const count = Math.min(max, min + Math.floor(this.random() * (Math.max(min, Math.min(max, 3)) - min + 1)));
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0, tries = 0; out.length < count && tries < count * 20; tries++) {
      const itemSchema = i < prefix.length ? prefix[i] : schema.items;
      const value = this.sample(itemSchema ?? {}, depth + 1);
      const key = JSON.stringify(value);
      if (schema.uniqueItems === true && seen.has(key)) continue;
      seen.add(key);
      out.push(value);
      i++;
    }
    return out;
  }

  private string(schema: Record<string, unknown>): string {
    const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    let text: string;
    switch (schema.format) {
      case 'date-time':
        text = new Date(Date.UTC(2024, 4, 1 + Math.floor(this.random() * 28), 12, 30)).toISOString();
        break;
      case 'date':
        text = `2024-05-${String(1 + Math.floor(this.random() * 28)).padStart(2, '0')}`;
        break;
      case 'time':
        text = '12:30:00';
        break;
      case 'email':
        text = `${this.pick(WORDS)}@example.com`;
        break;
      case 'uri':
      case 'url':
        text = `https://example.com/${this.pick(WORDS)}`;
        break;
      case 'uuid':
        text = '3f2b8c1e-7d4a-4e6b-9c2d-1a5f0e8b7c6d';
        break;
      default:
        text = `${this.pick(WORDS)} ${this.pick(WORDS)}`;
    }
    while (text.length < min) text += ` ${this.pick(WORDS)}`;
    return text.length > max ? text.slice(0, max) : text;
  }

  private number(schema: Record<string, unknown>, integer: boolean): number {
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    // Draft 4 writes exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
    const exMin = num(schema.exclusiveMinimum) ?? (schema.exclusiveMinimum === true ? num(schema.minimum) : undefined);
    const exMax = num(schema.exclusiveMaximum) ?? (schema.exclusiveMaximum === true ? num(schema.maximum) : undefined);
    const step = integer ? 1 : 0.01;
    let lo = exMin !== undefined ? exMin + step : num(schema.minimum) ?? (exMax !== undefined || num(schema.maximum) !== undefined ? -Infinity : 0);
    let hi = exMax !== undefined ? exMax - step : num(schema.maximum) ?? Infinity;
    if (!Number.isFinite(lo)) lo = Number.isFinite(hi) ? hi - 100 : 0;
    if (!Number.isFinite(hi)) hi = lo + 100;
    if (integer) {
      lo = Math.ceil(lo);
      hi = Math.floor(hi);
    }
    const multiple = num(schema.multipleOf);
    if (multiple && multiple > 0) {
      const first = Math.ceil(lo / multiple);
      const last = Math.floor(hi / multiple);
      const k = first + Math.floor(this.random() * Math.max(1, last - first + 1));
      return Number((Math.min(k, last) * multiple).toFixed(10));
    }
    const value = lo + this.random() * Math.max(0, hi - lo);
    return integer ? Math.min(hi, Math.round(value)) : Math.min(hi, Math.max(lo, Math.round(value * 100) / 100));
  }
}
