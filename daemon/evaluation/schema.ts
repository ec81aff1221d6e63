import { z } from 'zod';
import { Evaluation, type EvaluationField } from '../schemas/evaluate.js';

/** What one request asks the model for. */
export interface AnswerSpec {
  fields: EvaluationField[];
  maxKeywords: number;
  /** The only keywords the model may write (policy `only` with a vocabulary small enough for Ollama's grammar). */
  keywordEnum?: readonly string[];
}

export type AnswerSchema = z.ZodType<Partial<Evaluation>>;

/**
 * Built once per field set and keyword cap (and per vocabulary index's names under `only`, which
 * the index keeps as one array): a plugin asks the same question for every photo of an export.
 */
const schemas = new Map<string, AnswerSchema>();
const enumSchemas = new WeakMap<readonly string[], Map<string, AnswerSchema>>();
const formats = new WeakMap<AnswerSchema, Record<string, unknown>>();

/**
 * The request's slice of `Evaluation`: only the fields asked for, the keyword cap tightened. The
 * same object constrains Ollama (as a JSON schema) and checks its answer, so the two cannot drift.
 */
export function answerSchema(spec: AnswerSpec): AnswerSchema {
  // Fields come in EVALUATION_FIELDS order and the cap is bounded (schemas/evaluate.ts), so the keys are few.
  const key = `${spec.fields.join(',')}|${spec.maxKeywords}`;
  const cache = spec.keywordEnum?.length ? enumCache(spec.keywordEnum) : schemas;
  let schema = cache.get(key);
  if (!schema) cache.set(key, (schema = buildAnswerSchema(spec)));
  return schema;
}

function enumCache(names: readonly string[]): Map<string, AnswerSchema> {
  let cache = enumSchemas.get(names);
  if (!cache) enumSchemas.set(names, (cache = new Map()));
  return cache;
}

function buildAnswerSchema(spec: AnswerSpec): AnswerSchema {
  const keywords = Evaluation.shape.keywords;
  const element = spec.keywordEnum?.length ? z.enum(spec.keywordEnum as [string, ...string[]]) : keywords.element;
  const tightened = Evaluation.extend({
    keywords: z.array(element).max(spec.maxKeywords).describe(keywords.description ?? ''),
  });
  const pick = Object.fromEntries(spec.fields.map((f) => [f, true])) as Partial<Record<EvaluationField, true>>;
  return tightened.pick(pick) as unknown as AnswerSchema;
}

/** Ollama's `format`: the JSON schema, without the `$schema` tag its grammar converter has no use for. */
export function ollamaFormat(schema: AnswerSchema): Record<string, unknown> {
  let format = formats.get(schema);
  if (!format) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
    formats.set(schema, (format = rest));
  }
  return format;
}

export type ParsedAnswer = { ok: true; value: Partial<Evaluation> } | { ok: false; problem: string };

/**
 * Reads the model's answer. Ollama's grammar makes malformed JSON rare, but an answer cut off at
 * the token limit, one from a model that ignores `format`, and limits a grammar cannot express
 * all happen, so the answer is checked against the same schema it was generated from.
 */
export function parseAnswer(content: string, doneReason: string | undefined, schema: AnswerSchema): ParsedAnswer {
  if (doneReason === 'length') return { ok: false, problem: 'the answer was cut off at the token limit' };
  // Models that ignore `format` like to wrap JSON in a Markdown fence.
  const text = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: text === '' ? 'the answer was empty' : 'the answer was not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`);
    return { ok: false, problem: issues.join('; ') };
  }
  return { ok: true, value: tidy(parsed.data) };
}

/** Keywords once each (Lightroom treats them case-insensitively), in the model's order. */
function tidy(value: Partial<Evaluation>): Partial<Evaluation> {
  if (!value.keywords) return value;
  const seen = new Set<string>();
  const keywords = value.keywords.filter((k) => {
    const key = k.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...value, keywords };
}
