/**
 * Fixed data for the development mock server (not shipped): three models, one dataset, a completed run with
 * baselines, a failed run, and helpers that build sub-layer sizes, checkpoints and scans.
 */

export const TOKEN = 'dev-token';

const blocks = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Sub-layer sizes of a Llama-style model. */
export function subLayers(nLayers: number, dim: number, kvDim: number, hidden: number) {
  return blocks(nLayers).flatMap((l) => {
    const attn = 2 * dim * dim + 2 * dim * kvDim + dim;
    const mlp = 3 * dim * hidden + dim;
    return [
      { name: `attn${l}`, parameters: attn, bytes: 4 * attn },
      { name: `mlp${l}`, parameters: mlp, bytes: 4 * mlp },
    ];
  });
}

export const MODELS = [
  { id: 1, name: 'stories260K', source: '/shared/models/stories260K/stories260K.bin', format: 'llama2c', architecture: 'llama', nLayers: 5, dims: [64, 32, 172], vocab: 512 },
  { id: 2, name: 'tiny-llama-12L', source: '/models/tiny-llama-12L', format: 'hf-safetensors', architecture: 'LlamaForCausalLM', nLayers: 12, dims: [256, 64, 688], vocab: 4096 },
  { id: 3, name: 'SmolLM2-135M', source: '/models/SmolLM2-135M', format: 'hf-safetensors', architecture: 'LlamaForCausalLM', nLayers: 30, dims: [576, 192, 1536], vocab: 49152 },
];

/** Bytes shared by every variant (embeddings, final norm, head). */
export function sharedBytes(m: (typeof MODELS)[number]): number {
  return 4 * (m.vocab * m.dims[0] + m.dims[0]);
}

export function modelSummary(m: (typeof MODELS)[number]) {
  const subs = subLayers(m.nLayers, m.dims[0], m.dims[1], m.dims[2]);
  return { id: m.id, name: m.name, source: m.source, format: m.format, architecture: m.architecture, nLayers: m.nLayers, paramBytes: sharedBytes(m) + subs.reduce((a, s) => a + s.bytes, 0) };
}

export const DATASETS = [{ id: 1, name: 'story-qa', source: '/repo/resources/demo/story-qa.jsonl', taskType: 'mcq' as const, counts: { train: 288, validation: 36, test: 36 } }];

export const PREVIEW = {
  taskType: 'mcq' as const,
  mapping: { task: 'mcq', question: 'question', choices: ['choices'], answer: 'answer', answerFormat: 'index0' },
  notes: ['detected multiple choice: fields question, choices (list of 3), answer (0-based index)', 'split: seeded 80/10/10 (the file has no split column)'],
  total: 360,
  counts: { train: 288, validation: 36, test: 36 },
  sample: [
    { question: 'Lily found a red ball in the park. What colour was the ball?', choices: ['red', 'blue', 'green'], answer: 0 },
    { question: 'Tom was sad because it rained. How did Tom feel?', choices: ['happy', 'sad', 'sleepy'], answer: 1 },
    { question: 'The cat climbed the tall tree. What did the cat climb?', choices: ['a wall', 'a car', 'a tree'], answer: 2 },
    { question: 'Ben shared his cake with Sue. Who got some cake?', choices: ['Sue', 'Max', 'nobody'], answer: 0 },
  ],
  skipped: [
    { file: 'story-qa.jsonl', line: 17, row: 16, field: 'answer', reason: 'answer 3 is out of range for 3 choices' },
    { file: 'story-qa.jsonl', line: 204, row: 203, field: 'question', reason: 'empty question' },
  ],
};

/** Deterministic pseudo-random numbers. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Entry {
  name: string; kind: string; kept: string[]; keptFraction: number; metric: string; performance: number; accNorm?: number; paramBytes: number; decodeTokensPerSecond: number;
}

/** A measured entry for a keep mask. */
export function entryFor(m: (typeof MODELS)[number], name: string, kind: string, keep: boolean[], performance: number): Entry {
  const subs = subLayers(m.nLayers, m.dims[0], m.dims[1], m.dims[2]);
  const kept = subs.filter((_, i) => keep[i]).map((s) => s.name);
  const bytes = sharedBytes(m) + subs.filter((_, i) => keep[i]).reduce((a, s) => a + s.bytes, 0);
  const frac = kept.length / keep.length;
  return { name, kind, kept, keptFraction: frac, metric: 'acc', performance, accNorm: Math.max(0, performance - 0.02), paramBytes: bytes, decodeTokensPerSecond: Math.round(900 / (0.25 + 0.75 * frac)) };
}

/** Calibration scan scores over the kept sub-layers. */
export function scanScores(keep: boolean[], seed: number) {
  const r = rng(seed);
  return keep.flatMap((k, i) => {
    if (!k) return [];
    const p = 0.15 + 0.3 * r() + (i % 2 === 1 ? 0.05 : 0) - (i < 2 ? 0.1 : 0);
    return [{ subLayer: `${i % 2 === 0 ? 'attn' : 'mlp'}${Math.floor(i / 2)}`, calibrationPerformance: Math.round(p * 48) / 48, importance: 1 / (p + 1e-3), activationNorm: 5 + 20 * r() }];
  });
}

/** The sub-layer a scan would drop (highest P). */
export function pickDrop(scores: ReturnType<typeof scanScores>): string {
  return [...scores].sort((a, b) => b.calibrationPerformance - a.calibrationPerformance || b.activationNorm - a.activationNorm)[0].subLayer;
}

export function maskIndex(name: string): number {
  const m = /^(attn|mlp)(\d+)$/.exec(name)!;
  return 2 * Number(m[2]) + (m[1] === 'attn' ? 0 : 1);
}

export const CANNED_ANSWERS = [
  'Once upon a time, Lily found a red ball in the park. She threw it high into the sky and laughed. Her dog Max ran after it and brought it back. They played until the sun went down, and then they went home happy.',
  'Tom looked out of the window. It was raining, and he felt sad. Then his mom said, "Let\'s bake a cake!" Tom smiled. They mixed flour and eggs, and soon the kitchen smelled sweet.',
];
