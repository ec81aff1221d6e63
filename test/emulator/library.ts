import { createHash } from 'node:crypto';
import type { EmulatedLayer, EmulatedModel, EmulatedTensor } from './types.js';

/**
 * The "registry" the emulator pulls from. Tags, sizes, quantisations, architectures and
 * capabilities follow what ollama.com serves; digests are fake but well formed (sha256 of a
 * label), so they are stable across runs and never collide between models.
 */

const MEDIA = 'application/vnd.ollama.image.';

function fakeDigest(label: string): string {
  return createHash('sha256').update(`ollama-emulator/${label}`).digest('hex');
}

function layer(model: string, kind: string, size: number, shared?: string): EmulatedLayer {
  // Shared small layers (one template or license used by many tags) keep one digest, as in the registry.
  return { mediaType: MEDIA + kind, digest: `sha256:${fakeDigest(shared ?? `${model}/${kind}`)}`, size };
}

const FILE_TYPE: Record<string, number> = { Q4_0: 2, Q8_0: 7, Q4_K_M: 15, F16: 1 };

interface Arch {
  arch: string;
  blocks: number;
  embed: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  context: number;
  vocab?: number;
  /** Vocabulary size for the embedding tensor when the GGUF has no `<arch>.vocab_size` key. */
  tokens?: number;
  /** Layers that attend to the image instead of the text (mllama). */
  crossAttentionLayers?: number[];
  extra?: Record<string, unknown>;
}

interface Spec {
  name: string;
  aliases?: string[];
  basename: string;
  sizeLabel: string;
  family: string;
  families?: string[];
  parameterSize: string;
  parameterCount: number;
  quantization: keyof typeof FILE_TYPE;
  weights: number;
  projector?: { size: number; info: Record<string, unknown> };
  text: Arch;
  capabilities: string[];
  template: { text: string; size: number; shared: string };
  license?: { text: string; size: number; shared: string };
  params: { text: string; size: number };
  system?: string;
  tokenizer: { model: string; pre?: string };
}

function modelInfo(spec: Spec): Record<string, unknown> {
  const a = spec.text;
  const p = a.arch;
  const info: Record<string, unknown> = {
    'general.architecture': p,
    'general.basename': spec.basename,
    'general.file_type': FILE_TYPE[spec.quantization],
    'general.parameter_count': spec.parameterCount,
    'general.quantization_version': 2,
    'general.size_label': spec.sizeLabel,
    'general.type': 'model',
    [`${p}.attention.head_count`]: a.heads,
    [`${p}.attention.head_count_kv`]: a.kvHeads,
    [`${p}.attention.key_length`]: a.headDim,
    [`${p}.attention.value_length`]: a.headDim,
    [`${p}.attention.layer_norm_rms_epsilon`]: 0.00001,
    [`${p}.block_count`]: a.blocks,
    [`${p}.context_length`]: a.context,
    [`${p}.embedding_length`]: a.embed,
    [`${p}.feed_forward_length`]: a.ffn,
    ...(a.vocab ? { [`${p}.vocab_size`]: a.vocab } : {}),
    ...(a.crossAttentionLayers ? { [`${p}.attention.cross_attention_layers`]: a.crossAttentionLayers } : {}),
    ...a.extra,
    'tokenizer.ggml.model': spec.tokenizer.model,
    ...(spec.tokenizer.pre ? { 'tokenizer.ggml.pre': spec.tokenizer.pre } : {}),
    // The first entries only: show() withholds arrays unless `verbose` is asked for, as Ollama does.
    'tokenizer.ggml.merges': ['Ġ Ġ', 'Ġ t', 'i n', 'Ġ a', 'h e', 'r e'],
    'tokenizer.ggml.token_type': [3, 3, 3, 1, 1, 1],
    'tokenizer.ggml.tokens': ['<unk>', '<s>', '</s>', '!', '"', '#'],
  };
  return Object.fromEntries(Object.entries(info).sort(([x], [y]) => x.localeCompare(y)));
}

/**
 * The tensors that give a model's shape away: the embedding matrix [embedding, vocabulary] and each
 * layer's attention projections [input, output] (ggml lists the input dimension first). An mllama
 * cross-attention layer has cross_attn_* projections instead of attn_*.
 */
function tensors(spec: Spec): EmulatedTensor[] {
  const a = spec.text;
  const type = spec.quantization === 'Q4_K_M' ? 'Q4_K' : spec.quantization;
  const out: EmulatedTensor[] = [{ name: 'token_embd.weight', type, shape: [a.embed, a.vocab ?? a.tokens ?? 32_000] }];
  for (let i = 0; i < a.blocks; i++) {
    const cross = a.crossAttentionLayers?.includes(i);
    const prefix = cross ? `blk.${i}.cross_attn_` : `blk.${i}.attn_`;
    const suffix = cross ? '_proj.weight' : '.weight';
    out.push(
      { name: `${prefix}q${suffix}`, type, shape: [a.embed, a.heads * a.headDim] },
      { name: `${prefix}k${suffix}`, type, shape: [a.embed, a.kvHeads * a.headDim] },
      { name: `${prefix}v${suffix}`, type, shape: [a.embed, a.kvHeads * a.headDim] },
      { name: cross ? `${prefix}o${suffix}` : `blk.${i}.attn_output.weight`, type, shape: [a.heads * a.headDim, a.embed] },
    );
  }
  out.push({ name: 'output_norm.weight', type: 'F32', shape: [a.embed] });
  return out;
}

function build(spec: Spec): EmulatedModel {
  // At most four layers: the weights, a projector when the model has one, the template, then the
  // license where there is room, then the params.
  const layers: EmulatedLayer[] = [layer(spec.name, 'model', spec.weights)];
  if (spec.projector) layers.push(layer(spec.name, 'projector', spec.projector.size));
  layers.push(layer(spec.name, 'template', spec.template.size, spec.template.shared));
  const license = spec.projector ? undefined : spec.license;
  if (license) layers.push(layer(spec.name, 'license', license.size, license.shared));
  layers.push(layer(spec.name, 'params', spec.params.size));
  return {
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    digest: fakeDigest(`${spec.name}/manifest`),
    layers,
    details: {
      parent_model: '',
      format: 'gguf',
      family: spec.family,
      families: spec.families ?? [spec.family],
      parameter_size: spec.parameterSize,
      quantization_level: spec.quantization,
    },
    modelInfo: modelInfo(spec),
    ...(spec.projector ? { projectorInfo: projectorInfo(spec.projector) } : {}),
    tensors: tensors(spec),
    capabilities: spec.capabilities,
    template: spec.template.text,
    parameters: spec.params.text,
    ...(license ? { license: license.text } : {}),
    ...(spec.system ? { system: spec.system } : {}),
  };
}

/** Ollama adds general.parameter_count to every GGUF it reads (fs/ggml/gguf.go); projectors are F16, two bytes each. */
function projectorInfo(projector: { size: number; info: Record<string, unknown> }): Record<string, unknown> {
  return { 'general.file_type': 1, 'general.parameter_count': Math.round(projector.size / 2), ...projector.info };
}

/** Ollama's show format for parameters: the name padded to 30 columns, then a Go %#v value. */
function params(entries: Array<[string, string | number]>): { text: string; size: number } {
  const text = entries.map(([k, v]) => `${k.padEnd(30)} ${typeof v === 'string' ? JSON.stringify(v) : v}`).join('\n');
  return { text, size: Buffer.byteLength(text) };
}

const LLAMA3_TEMPLATE = {
  shared: 'template/llama3',
  size: 1426,
  text: `<|start_header_id|>system<|end_header_id|>

Cutting Knowledge Date: December 2023
{{ if .System }}{{ .System }}{{ end }}<|eot_id|>
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}{{ if $last }}<|eot_id|><|start_header_id|>assistant<|end_header_id|>

{{ end }}
{{- end }}`,
};

const LLAMA32_LICENSE = {
  shared: 'license/llama3.2',
  size: 7711,
  text: 'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nLlama 3.2 Version Release Date: September 25, 2024\n\n“Agreement” means the terms and conditions for use, reproduction, distribution and modification of the Llama Materials set forth herein.\n…',
};

const LLAMA31_LICENSE = {
  shared: 'license/llama3.1',
  size: 12321,
  text: 'LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n\n“Agreement” means the terms and conditions for use, reproduction, distribution and modification of the Llama Materials set forth herein.\n…',
};

const GEMMA_TEMPLATE = {
  shared: 'template/gemma3',
  size: 358,
  text: `{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if or (eq .Role "user") (eq .Role "system") }}<start_of_turn>user
{{ .Content }}<end_of_turn>
{{ if $last }}<start_of_turn>model
{{ end }}
{{- else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}{{ if not $last }}<end_of_turn>
{{ end }}
{{- end }}
{{- end }}`,
};

const GEMMA_LICENSE = {
  shared: 'license/gemma',
  size: 8432,
  text: 'Gemma Terms of Use\n\nLast modified: February 21, 2024\n\nBy using, reproducing, modifying, distributing, performing or displaying any portion or element of Gemma, Model Derivatives including via any Hosted Service, you agree to be bound by this Agreement.\n…',
};

const GEMMA_PARAMS = params([
  ['stop', '<end_of_turn>'],
  ['temperature', 1],
  ['top_k', 64],
  ['top_p', 0.95],
]);

const CHATML_TEMPLATE = {
  shared: 'template/chatml',
  size: 1017,
  text: `{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
<|im_start|>{{ .Role }}
{{ .Content }}{{ if not $last }}<|im_end|>
{{ end }}{{ if and $last (ne .Role "assistant") }}<|im_end|>
<|im_start|>assistant
{{ end }}
{{- end }}`,
};

const APACHE_LICENSE = {
  shared: 'license/apache-2.0',
  size: 11343,
  text: '                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n…',
};

const MISTRAL_TEMPLATE = {
  shared: 'template/mistral-inst',
  size: 67,
  text: '[INST] {{ if .System }}{{ .System }} {{ end }}{{ .Prompt }} [/INST]',
};

function clip(block: number, embed: number, image: number, patch: number, heads: number, ffn: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'general.architecture': 'clip',
    'clip.has_text_encoder': false,
    'clip.has_vision_encoder': true,
    'clip.vision.attention.head_count': heads,
    'clip.vision.attention.layer_norm_epsilon': 0.000001,
    'clip.vision.block_count': block,
    'clip.vision.embedding_length': embed,
    'clip.vision.feed_forward_length': ffn,
    'clip.vision.image_size': image,
    'clip.vision.patch_size': patch,
    ...extra,
  };
}

const llama = (blocks: number, embed: number, heads: number, kvHeads: number, ffn: number, context: number, extra?: Record<string, unknown>): Arch => ({
  arch: 'llama',
  blocks,
  embed,
  heads,
  kvHeads,
  headDim: embed / heads,
  ffn,
  context,
  vocab: 128256,
  ...(extra ? { extra } : {}),
});

const gemma3 = (blocks: number, embed: number, heads: number, kvHeads: number, headDim: number, ffn: number): Arch => ({
  arch: 'gemma3',
  blocks,
  embed,
  heads,
  kvHeads,
  headDim,
  ffn,
  context: 131072,
  tokens: 262144,
  extra: {
    'gemma3.attention.sliding_window': 1024,
    'gemma3.rope.freq_base': 1000000,
    'gemma3.vision.attention.head_count': 16,
    'gemma3.vision.block_count': 27,
    'gemma3.vision.embedding_length': 1152,
    'gemma3.vision.feed_forward_length': 4304,
    'gemma3.vision.image_size': 896,
    'gemma3.vision.num_channels': 3,
    'gemma3.vision.patch_size': 14,
  },
});

/**
 * A cloud model as Ollama 0.12+ keeps it: a manifest whose only blob is a small config naming
 * remote_model and remote_host (about 384 bytes in all, as /api/tags reports), the model on ollama.com.
 */
function cloud(name: string, remoteModel: string, family: string, parameterSize: string, capabilities: string[]): EmulatedModel {
  return {
    name,
    digest: fakeDigest(`${name}/manifest`),
    layers: [{ mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${fakeDigest(`${name}/config`)}`, size: 384 }],
    details: { parent_model: '', format: '', family, families: null, parameter_size: parameterSize, quantization_level: '' },
    modelInfo: { 'general.architecture': family },
    // No weights on this computer, so no tensors to list.
    tensors: [],
    capabilities,
    template: '',
    parameters: '',
    remote: { model: remoteModel, host: 'https://ollama.com:443' },
  };
}

const LLAMA_TEXT_PARAMS = params([
  ['stop', '<|start_header_id|>'],
  ['stop', '<|end_header_id|>'],
  ['stop', '<|eot_id|>'],
]);

export const DEFAULT_LIBRARY: EmulatedModel[] = [
  build({
    name: 'llama3.2:1b',
    basename: 'Llama-3.2',
    sizeLabel: '1B',
    family: 'llama',
    parameterSize: '1.2B',
    parameterCount: 1235814432,
    quantization: 'Q8_0',
    weights: 1321082688,
    text: llama(16, 2048, 32, 8, 8192, 131072),
    capabilities: ['completion', 'tools'],
    template: LLAMA3_TEMPLATE,
    license: LLAMA32_LICENSE,
    params: LLAMA_TEXT_PARAMS,
    tokenizer: { model: 'gpt2', pre: 'llama-bpe' },
  }),
  build({
    name: 'llama3.2:3b',
    aliases: ['llama3.2:latest'],
    basename: 'Llama-3.2',
    sizeLabel: '3B',
    family: 'llama',
    parameterSize: '3.2B',
    parameterCount: 3212749888,
    quantization: 'Q4_K_M',
    weights: 2019377376,
    text: llama(28, 3072, 24, 8, 8192, 131072),
    capabilities: ['completion', 'tools'],
    template: LLAMA3_TEMPLATE,
    license: LLAMA32_LICENSE,
    params: LLAMA_TEXT_PARAMS,
    tokenizer: { model: 'gpt2', pre: 'llama-bpe' },
  }),
  build({
    name: 'llama3.1:8b',
    aliases: ['llama3.1:latest'],
    basename: 'Meta-Llama-3.1',
    sizeLabel: '8B',
    family: 'llama',
    parameterSize: '8.0B',
    parameterCount: 8030261248,
    quantization: 'Q4_K_M',
    weights: 4920738944,
    text: llama(32, 4096, 32, 8, 14336, 131072),
    capabilities: ['completion', 'tools'],
    template: LLAMA3_TEMPLATE,
    license: LLAMA31_LICENSE,
    params: LLAMA_TEXT_PARAMS,
    tokenizer: { model: 'gpt2', pre: 'llama-bpe' },
  }),
  build({
    name: 'mixtral:8x7b',
    aliases: ['mixtral:latest'],
    basename: 'Mixtral',
    sizeLabel: '8x7B',
    family: 'llama',
    parameterSize: '46.7B',
    parameterCount: 46702792704,
    quantization: 'Q4_0',
    weights: 26442481545,
    text: { ...llama(32, 4096, 32, 8, 14336, 32768, { 'llama.expert_count': 8, 'llama.expert_used_count': 2, 'llama.rope.freq_base': 1000000 }), vocab: 32000 },
    capabilities: ['completion', 'tools'],
    template: MISTRAL_TEMPLATE,
    license: APACHE_LICENSE,
    params: params([
      ['stop', '[INST]'],
      ['stop', '[/INST]'],
    ]),
    tokenizer: { model: 'llama' },
  }),
  build({
    name: 'llama3.1:70b',
    basename: 'Meta-Llama-3.1',
    sizeLabel: '70B',
    family: 'llama',
    parameterSize: '70.6B',
    parameterCount: 70553706496,
    quantization: 'Q4_K_M',
    weights: 42520395584,
    text: llama(80, 8192, 64, 8, 28672, 131072),
    capabilities: ['completion', 'tools'],
    template: LLAMA3_TEMPLATE,
    license: LLAMA31_LICENSE,
    params: LLAMA_TEXT_PARAMS,
    tokenizer: { model: 'gpt2', pre: 'llama-bpe' },
  }),
  build({
    name: 'gemma3:4b',
    aliases: ['gemma3:latest'],
    basename: 'gemma-3',
    sizeLabel: '4B',
    family: 'gemma3',
    parameterSize: '4.3B',
    parameterCount: 4299915632,
    quantization: 'Q4_K_M',
    weights: 3338792448,
    text: gemma3(34, 2560, 8, 4, 256, 10240),
    capabilities: ['completion', 'vision'],
    template: GEMMA_TEMPLATE,
    license: GEMMA_LICENSE,
    params: GEMMA_PARAMS,
    tokenizer: { model: 'llama', pre: 'default' },
  }),
  build({
    name: 'gemma3:12b',
    basename: 'gemma-3',
    sizeLabel: '12B',
    family: 'gemma3',
    parameterSize: '12.2B',
    parameterCount: 12187325040,
    quantization: 'Q4_K_M',
    weights: 8149180896,
    text: gemma3(48, 3840, 16, 8, 256, 15360),
    capabilities: ['completion', 'vision'],
    template: GEMMA_TEMPLATE,
    license: GEMMA_LICENSE,
    params: GEMMA_PARAMS,
    tokenizer: { model: 'llama', pre: 'default' },
  }),
  build({
    name: 'gemma3:27b',
    basename: 'gemma-3',
    sizeLabel: '27B',
    family: 'gemma3',
    parameterSize: '27.4B',
    parameterCount: 27432406640,
    quantization: 'Q4_K_M',
    weights: 17396936768,
    text: gemma3(62, 5376, 32, 16, 128, 21504),
    capabilities: ['completion', 'vision'],
    template: GEMMA_TEMPLATE,
    license: GEMMA_LICENSE,
    params: GEMMA_PARAMS,
    tokenizer: { model: 'llama', pre: 'default' },
  }),
  build({
    name: 'qwen2.5vl:7b',
    aliases: ['qwen2.5vl:latest'],
    basename: 'Qwen2.5-VL',
    sizeLabel: '7B',
    family: 'qwen25vl',
    parameterSize: '8.3B',
    parameterCount: 8292166656,
    quantization: 'Q4_K_M',
    weights: 5969245856,
    text: {
      arch: 'qwen25vl',
      blocks: 28,
      embed: 3584,
      heads: 28,
      kvHeads: 4,
      headDim: 128,
      ffn: 18944,
      context: 128000,
      tokens: 152064,
      extra: {
        'qwen25vl.rope.freq_base': 1000000,
        'qwen25vl.vision.attention.head_count': 16,
        'qwen25vl.vision.block_count': 32,
        'qwen25vl.vision.embedding_length': 1280,
        'qwen25vl.vision.num_channels': 3,
        'qwen25vl.vision.patch_size': 14,
        'qwen25vl.vision.spatial_merge_size': 2,
        'qwen25vl.vision.window_size': 112,
      },
    },
    capabilities: ['completion', 'vision'],
    template: CHATML_TEMPLATE,
    license: APACHE_LICENSE,
    params: params([['temperature', 0.0001]]),
    tokenizer: { model: 'gpt2', pre: 'qwen2' },
  }),
  build({
    name: 'llama3.2-vision:11b',
    aliases: ['llama3.2-vision:latest'],
    basename: 'Llama-3.2',
    sizeLabel: '11B',
    family: 'mllama',
    families: ['mllama'],
    parameterSize: '9.8B',
    parameterCount: 9775641632,
    quantization: 'Q4_K_M',
    weights: 5963319712,
    projector: {
      size: 1938817888,
      info: {
        'general.architecture': 'mllama',
        'mllama.vision.attention.head_count': 16,
        'mllama.vision.block_count': 32,
        'mllama.vision.embedding_length': 1280,
        'mllama.vision.feed_forward_length': 5120,
        'mllama.vision.global.block_count': 8,
        'mllama.vision.image_size': 560,
        'mllama.vision.max_num_tiles': 4,
        'mllama.vision.num_channels': 3,
        'mllama.vision.patch_size': 14,
      },
    },
    text: { ...llama(40, 4096, 32, 8, 14336, 131072), arch: 'mllama', crossAttentionLayers: [3, 8, 13, 18, 23, 28, 33, 38] },
    capabilities: ['completion', 'vision'],
    template: LLAMA3_TEMPLATE,
    license: LLAMA32_LICENSE,
    params: params([['temperature', 0.6], ['top_p', 0.9]]),
    tokenizer: { model: 'gpt2', pre: 'llama-bpe' },
  }),
  build({
    name: 'llava:7b',
    aliases: ['llava:latest'],
    basename: 'llava-v1.6-mistral',
    sizeLabel: '7B',
    family: 'llama',
    families: ['llama', 'clip'],
    parameterSize: '7B',
    parameterCount: 7241732096,
    quantization: 'Q4_0',
    weights: 4113289152,
    projector: { size: 624434368, info: clip(23, 1024, 336, 14, 16, 4096, { 'clip.has_llava_projector': true, 'clip.projector_type': 'mlp' }) },
    text: { ...llama(32, 4096, 32, 8, 14336, 32768, { 'llama.rope.freq_base': 1000000 }), vocab: 32000 },
    capabilities: ['completion', 'vision'],
    template: MISTRAL_TEMPLATE,
    license: APACHE_LICENSE,
    params: params([
      ['stop', '[INST]'],
      ['stop', '[/INST]'],
    ]),
    tokenizer: { model: 'llama' },
  }),
  build({
    name: 'minicpm-v:8b',
    aliases: ['minicpm-v:latest'],
    basename: 'MiniCPM-V-2_6',
    sizeLabel: '8B',
    family: 'qwen2',
    families: ['qwen2', 'clip'],
    parameterSize: '7.6B',
    parameterCount: 7612756480,
    quantization: 'Q4_0',
    weights: 4681089568,
    projector: { size: 1044418432, info: clip(26, 1152, 448, 14, 16, 4304, { 'clip.minicpmv_version': 3, 'clip.projector_type': 'resampler' }) },
    text: { arch: 'qwen2', blocks: 28, embed: 3584, heads: 28, kvHeads: 4, headDim: 128, ffn: 18944, context: 32768, tokens: 151666, extra: { 'qwen2.rope.freq_base': 1000000 } },
    capabilities: ['completion', 'vision'],
    template: CHATML_TEMPLATE,
    license: APACHE_LICENSE,
    params: params([
      ['stop', '<|im_start|>'],
      ['stop', '<|im_end|>'],
    ]),
    tokenizer: { model: 'gpt2', pre: 'qwen2' },
  }),
  build({
    name: 'moondream:1.8b',
    aliases: ['moondream:latest'],
    basename: 'moondream2',
    sizeLabel: '1.8B',
    family: 'phi2',
    families: ['phi2', 'clip'],
    parameterSize: '1B',
    parameterCount: 1418270720,
    quantization: 'Q4_0',
    weights: 828687520,
    projector: { size: 909777984, info: clip(27, 1152, 378, 14, 16, 4304, { 'clip.has_llava_projector': true, 'clip.projector_type': 'mlp' }) },
    text: { arch: 'phi2', blocks: 24, embed: 2048, heads: 32, kvHeads: 32, headDim: 64, ffn: 8192, context: 2048, tokens: 51200 },
    capabilities: ['completion', 'vision'],
    template: { shared: 'template/moondream', size: 68, text: '{{ if .Prompt }}\n\nQuestion: {{ .Prompt }}\n\n{{ end }}Answer: {{ .Response }}\n\n' },
    license: APACHE_LICENSE,
    params: params([
      ['stop', '<|endoftext|>'],
      ['stop', 'Question:'],
      ['temperature', 0],
    ]),
    tokenizer: { model: 'gpt2', pre: 'phi-2' },
  }),
  // Not a real model: ~2 MB of layers so pull tests finish in milliseconds.
  build({
    name: 'tiny-vision:1b',
    // The same weights under a registry with a port and under a case-sensitive one.
    aliases: ['tiny-vision:latest', 'localhost:5000/team/tiny-vision:1b', 'hf.co/Team/Tiny-Vision-GGUF:Q4_K_M'],
    basename: 'tiny-vision',
    sizeLabel: '1B',
    family: 'llama',
    families: ['llama', 'clip'],
    parameterSize: '1B',
    parameterCount: 1000000,
    quantization: 'Q4_0',
    weights: 1_800_000,
    projector: { size: 200_000, info: clip(2, 128, 224, 16, 4, 512, { 'clip.has_llava_projector': true, 'clip.projector_type': 'mlp' }) },
    text: { arch: 'llama', blocks: 4, embed: 256, heads: 4, kvHeads: 2, headDim: 64, ffn: 512, context: 4096 },
    capabilities: ['completion', 'vision'],
    template: MISTRAL_TEMPLATE,
    params: params([['temperature', 0]]),
    tokenizer: { model: 'llama' },
  }),
  // A thinking vision model: Ollama thinks by default with these unless `think: false` is sent.
  // Architecture from its GGUF as Ollama's library lists it; the weights' size is the library's 6.1 GB, rounded.
  build({
    name: 'qwen3-vl:8b',
    aliases: ['qwen3-vl:latest'],
    basename: 'Qwen3-VL',
    sizeLabel: '8B',
    family: 'qwen3vl',
    parameterSize: '8.8B',
    parameterCount: 8767123696,
    quantization: 'Q4_K_M',
    weights: 6_140_000_000,
    text: { arch: 'qwen3vl', blocks: 36, embed: 4096, heads: 32, kvHeads: 8, headDim: 128, ffn: 12288, context: 262144 },
    capabilities: ['completion', 'vision', 'tools', 'thinking'],
    template: CHATML_TEMPLATE,
    license: APACHE_LICENSE,
    params: params([['temperature', 1], ['top_k', 20], ['top_p', 0.95]]),
    tokenizer: { model: 'gpt2', pre: 'qwen2' },
  }),
  cloud('qwen3-vl:235b-cloud', 'qwen3-vl:235b', 'qwen3vlmoe', '235B', ['completion', 'vision', 'tools', 'thinking']),
];

export function modelSize(model: EmulatedModel): number {
  return model.layers.reduce((sum, l) => sum + l.size, 0);
}
