import { describe, expect, it } from 'vitest';
import { AppError } from '../../daemon/errors.js';
import { canonicalModelName, parseModelName, pullSpelling } from '../../daemon/ollama/names.js';

// Ollama's own fixtures (types/model/name_test.go:11-12).
const part80 = '8'.repeat(80);
const part350 = '3'.repeat(350);

function refusal(input: unknown): AppError | undefined {
  try {
    canonicalModelName(input);
    return undefined;
  } catch (e) {
    return e as AppError;
  }
}

/**
 * Ollama's validity table, types/model/name_test.go:143-191 (TestNameIsValid). Ollama checks those
 * with ParseNameBare, which fills in nothing; a name the daemon receives goes through ParseName,
 * which fills in the default host, namespace and tag first (name.go:136), so "model" and
 * "host/namespace/model" are valid here. Every other verdict is Ollama's.
 */
const OLLAMA_VALIDITY: ReadonlyArray<[string, boolean]> = [
  ['', false],
  ['_why/_the/_lucky:_stiff', true],
  ['h/n/m:t', true],
  ['host/namespace/model:tag', true],
  ['host/namespace/model', true], // bare: false (no tag); with defaults: tag latest
  ['namespace/model', true], // likewise
  ['model', true], // likewise
  [`${part80}/${part80}/${part80}:${part80}`, true],
  [`${part350}/${part80}/${part80}:${part80}`, true],
  ['h/nn/mm:t', true],
  ['m', true], // bare: unqualified; with defaults: m:latest
  ['n/m:', false],
  ['h/n/m', true], // bare: unqualified; with defaults: h/n/m:latest
  ['@t', false],
  ['m@d', false],
  ['^', false],
  ['mm:', false],
  ['/nn/mm', false],
  ['//', false],
  ['//mm', false],
  ['hh//', false],
  ['//mm:@', false],
  ['00@', false],
  ['@', false],
  ['-hh/nn/mm:tt', false],
  ['hh/-nn/mm:tt', false],
  ['hh/nn/-mm:tt', false],
  ['hh/nn/mm:-tt', false],
  ['host:https/namespace/model:tag', true],
  ['host/name:space/model:tag', false],
];

describe("Ollama's name grammar", () => {
  it.each(OLLAMA_VALIDITY)('%j is valid: %s', (input, valid) => {
    const err = refusal(input);
    expect(err === undefined, err?.message).toBe(valid);
    if (!valid) expect(err?.code).toBe('INVALID_MODEL_NAME');
  });

  // TestParseNameParts, name_test.go:15-141: how a name splits into host, namespace, model and tag.
  it.each([
    ['registry.ollama.ai/library/dolphin-mistral:7b-v2.6-dpo-laser-q6_K', { host: 'registry.ollama.ai', namespace: 'library', model: 'dolphin-mistral', tag: '7b-v2.6-dpo-laser-q6_K' }],
    // The scheme (ProtocolScheme) only says how to reach the registry; nothing here keeps it.
    ['scheme://host:port/namespace/model:tag', { host: 'host:port', namespace: 'namespace', model: 'model', tag: 'tag' }],
    ['host:port/namespace/model:tag', { host: 'host:port', namespace: 'namespace', model: 'model', tag: 'tag' }],
    ['host:port/namespace/model', { host: 'host:port', namespace: 'namespace', model: 'model', tag: 'latest' }],
    ['namespace/model', { namespace: 'namespace', model: 'model', tag: 'latest' }],
    ['h/nn/mm:t', { host: 'h', namespace: 'nn', model: 'mm', tag: 't' }],
  ])('splits %j', (input, parts) => {
    expect(parseModelName(input)).toEqual(parts);
  });

  // TestNameIsValidPart, name_test.go:227-252, and the length rule of isValidLen, name.go:333-342.
  it('allows a port and dots in a host, no dot in a namespace, 350 characters for a host and 80 for other parts', () => {
    expect(canonicalModelName('localhost:5000/team/llava:7b')).toBe('localhost:5000/team/llava:7b');
    expect(canonicalModelName('a./bb/m:t')).toBe('a./bb/m:t');
    expect(refusal('a:123/aa/bb/m:t')?.message).toMatch(/too many "\/" parts/);
    expect(refusal('a./m')?.message).toMatch(/part before "\/"/);
    expect(refusal(`${'3'.repeat(351)}/${part80}/${part80}:${part80}`)?.message).toMatch(/registry part is longer than 350/);
    expect(refusal(`${part80}8/m:t`)?.message).toMatch(/part before "\/" is longer than 80/);
    expect(refusal(`${part80}8:t`)?.message).toMatch(/model name is longer than 80/);
    expect(refusal(`m:${part80}8`)?.message).toMatch(/after ":" is longer than 80/);
    // Longer than the old 128-character cap, and valid in Ollama.
    expect(canonicalModelName(`${part350}/${part80}/${part80}:${part80}`)).toHaveLength(350 + 3 * 80 + 3);
  });

  it('accepts dots inside a model name as Ollama does, but never a part that is only dots or starts with one', () => {
    expect(canonicalModelName('a..b:c..d')).toBe('a..b:c..d');
    expect(refusal('../../etc/passwd')?.code).toBe('INVALID_MODEL_NAME');
    expect(refusal('..')?.code).toBe('INVALID_MODEL_NAME');
    expect(refusal('.hidden')?.message).toMatch(/start with a letter, digit or "_"/);
    expect(refusal('-rf')?.message).toMatch(/start with a letter, digit or "_"/);
  });
});

describe('canonical names', () => {
  // TestDisplayShortest, name_test.go:292-312, in lower case.
  it.each([
    ['gemma3', 'gemma3:latest'],
    ['gemma3:latest', 'gemma3:latest'],
    ['Gemma3:4B', 'gemma3:4b'],
    ['  llama3.2:3b  ', 'llama3.2:3b'],
    ['library/gemma3:4b', 'gemma3:4b'],
    ['registry.ollama.ai/library/gemma3:4b', 'gemma3:4b'],
    ['registry.ollama.ai/library/model:tag', 'model:tag'],
    ['registry.ollama.ai/namespace/model:tag', 'namespace/model:tag'],
    ['host/namespace/model:tag', 'host/namespace/model:tag'],
    ['host/library/model:tag', 'host/library/model:tag'],
    ['https://localhost:5000/team/llava:7b', 'localhost:5000/team/llava:7b'],
    ['huihui_ai/qwen2.5-vl-abliterated:7b', 'huihui_ai/qwen2.5-vl-abliterated:7b'],
    ['hf.co/bartowski/gemma-3-4b-it-GGUF:Q4_K_M', 'hf.co/bartowski/gemma-3-4b-it-gguf:q4_k_m'],
  ])('%j is %j', (input, expected) => {
    expect(canonicalModelName(input)).toBe(expected);
  });

  it('keeps the photographer spelling for pulls, where a registry may care about case', () => {
    expect(pullSpelling('  hf.co/bartowski/gemma-3-4b-it-GGUF:Q4_K_M ')).toBe('hf.co/bartowski/gemma-3-4b-it-GGUF:Q4_K_M');
    expect(() => pullSpelling('bad name')).toThrow(AppError);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['gemma3:', /after ":" is empty/],
    ['gemma3:4b\n', /control characters/],
    ['gem\u0000ma', /control characters/],
    ['a/b/c/d', /too many/],
    ['name with space', /letters, digits/],
    ['ns.with.dot/model', /part before "\/"/],
    ['/n/m', /registry part is empty/],
  ])('refuses %j', (input, message) => {
    const err = refusal(input);
    expect(err).toBeInstanceOf(AppError);
    expect(err?.code).toBe('INVALID_MODEL_NAME');
    expect(err?.message).toMatch(message);
  });

  // ParseNameBare (name.go:158-164) takes any text before the host's first "://" as the scheme and
  // IsValid never looks at it; PullHandler pulls name.DisplayShortest(), so the scheme is dropped.
  it.each([
    ['ftp!://h/n/m', 'h/n/m:latest'],
    ['://h/n/m:t', 'h/n/m:t'],
    ['a/b://h/n/m', 'h/n/m:latest'],
    ['https:///n/m', 'n/m:latest'],
    ['https:///library/m:t', 'm:t'],
  ])('accepts the scheme of %j as Ollama does and drops it: %j', (input, expected) => {
    expect(canonicalModelName(input)).toBe(expected);
  });

  it('refuses non-strings', () => {
    expect(() => canonicalModelName(42)).toThrow(/must be text/);
  });
});
