/**
 * Weights of a Llama-family decoder, held as tf.Variables so the same object serves inference and training.
 *
 * Linear weights are stored input-major, `[in, out]`, so a projection is `x @ W` (Hugging Face and llama2.c
 * store `[out, in]`; loaders transpose once). Query/key projections use the rotate-half RoPE layout of Hugging
 * Face checkpoints; the llama2.c loader permutes its interleaved-pair layout into it at load (see rope.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config.ts';
import type { SubLayerName } from './sublayers.ts';

/** Weights of one decoder block. */
export interface BlockWeights {
  /** RMSNorm gain before attention: [dim] */
  attnNorm: tf.Variable;
  /** Query projection: [dim, nHeads * headDim] */
  wq: tf.Variable;
  /** Key projection: [dim, nKvHeads * headDim] */
  wk: tf.Variable;
  /** Value projection: [dim, nKvHeads * headDim] */
  wv: tf.Variable;
  /** Output projection: [nHeads * headDim, dim] */
  wo: tf.Variable;
  /** Query/key/value biases (Qwen2 only): [nHeads * headDim], [nKvHeads * headDim], [nKvHeads * headDim] */
  bq: tf.Variable | null;
  bk: tf.Variable | null;
  bv: tf.Variable | null;
  /** RMSNorm gain before the MLP: [dim] */
  mlpNorm: tf.Variable;
  /** SwiGLU gate projection (w1): [dim, hiddenDim] */
  wGate: tf.Variable;
  /** SwiGLU up projection (w3): [dim, hiddenDim] */
  wUp: tf.Variable;
  /** SwiGLU down projection (w2): [hiddenDim, dim] */
  wDown: tf.Variable;
}

/** All weights of a decoder. */
export interface LlamaWeights {
  /** Token embedding: [vocabSize, dim] */
  embedding: tf.Variable;
  /** One entry per block. */
  blocks: BlockWeights[];
  /** Final RMSNorm gain: [dim] */
  finalNorm: tf.Variable;
  /** Untied LM head: [dim, vocabSize]; null when tied to the embedding. */
  lmHead: tf.Variable | null;
}

/** One weight with its Hugging Face name and the sub-layer that owns it (null for embedding/norm/head). */
export interface NamedWeight {
  /** Hugging Face tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  hfName: string;
  /** The variable (layout [in, out] for linear weights, see file docstring). */
  variable: tf.Variable;
  /** True when the HF tensor is the transpose of the variable (linear weights). */
  transposed: boolean;
  /** Owning sub-layer, or null for embedding, final norm and LM head. */
  subLayer: SubLayerName | null;
}

/** Lists every weight with its Hugging Face name, in a fixed order (embedding, blocks, norm, head). */
export function namedWeights(w: LlamaWeights): NamedWeight[] {
  const out: NamedWeight[] = [
    { hfName: 'model.embed_tokens.weight', variable: w.embedding, transposed: false, subLayer: null },
  ];
  w.blocks.forEach((b, l) => {
    const p = `model.layers.${l}.`;
    const attn: SubLayerName = `attn${l}`;
    const mlp: SubLayerName = `mlp${l}`;
    const add = (name: string, v: tf.Variable | null, transposed: boolean, s: SubLayerName) => {
      if (v) out.push({ hfName: p + name, variable: v, transposed, subLayer: s });
    };
    add('input_layernorm.weight', b.attnNorm, false, attn);
    add('self_attn.q_proj.weight', b.wq, true, attn);
    add('self_attn.k_proj.weight', b.wk, true, attn);
    add('self_attn.v_proj.weight', b.wv, true, attn);
    add('self_attn.o_proj.weight', b.wo, true, attn);
    add('self_attn.q_proj.bias', b.bq, false, attn);
    add('self_attn.k_proj.bias', b.bk, false, attn);
    add('self_attn.v_proj.bias', b.bv, false, attn);
    add('post_attention_layernorm.weight', b.mlpNorm, false, mlp);
    add('mlp.gate_proj.weight', b.wGate, true, mlp);
    add('mlp.up_proj.weight', b.wUp, true, mlp);
    add('mlp.down_proj.weight', b.wDown, true, mlp);
  });
  out.push({ hfName: 'model.norm.weight', variable: w.finalNorm, transposed: false, subLayer: null });
  if (w.lmHead) out.push({ hfName: 'lm_head.weight', variable: w.lmHead, transposed: true, subLayer: null });
  return out;
}

/** A host-side tensor in Hugging Face layout ([out, in] for linear weights). */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Supplies Hugging Face-named tensors to buildWeights; throws (naming file and tensor) when one is missing. */
export type TensorSource = (hfName: string, expectedShape: number[]) => HostTensor;

/**
 * Expected Hugging Face shapes ([out, in] for linear weights) of every tensor of a config, in namedWeights order.
 * Used by loaders to validate and by export.
 */
export function expectedHfShapes(c: LlamaConfig): Map<string, number[]> {
  const q = c.nHeads * c.headDim;
  const kv = c.nKvHeads * c.headDim;
  const m = new Map<string, number[]>([['model.embed_tokens.weight', [c.vocabSize, c.dim]]]);
  for (let l = 0; l < c.nLayers; l++) {
    const p = `model.layers.${l}.`;
    m.set(p + 'input_layernorm.weight', [c.dim]);
    m.set(p + 'self_attn.q_proj.weight', [q, c.dim]);
    m.set(p + 'self_attn.k_proj.weight', [kv, c.dim]);
    m.set(p + 'self_attn.v_proj.weight', [kv, c.dim]);
    m.set(p + 'self_attn.o_proj.weight', [c.dim, q]);
    if (c.qkvBias) {
      m.set(p + 'self_attn.q_proj.bias', [q]);
      m.set(p + 'self_attn.k_proj.bias', [kv]);
      m.set(p + 'self_attn.v_proj.bias', [kv]);
    }
    m.set(p + 'post_attention_layernorm.weight', [c.dim]);
    m.set(p + 'mlp.gate_proj.weight', [c.hiddenDim, c.dim]);
    m.set(p + 'mlp.up_proj.weight', [c.hiddenDim, c.dim]);
    m.set(p + 'mlp.down_proj.weight', [c.dim, c.hiddenDim]);
  }
  m.set('model.norm.weight', [c.dim]);
  if (!c.tiedEmbeddings) m.set('lm_head.weight', [c.vocabSize, c.dim]);
  return m;
}

function toVariable(t: HostTensor, transpose: boolean, name: string): tf.Variable {
  return tf.tidy(() => {
    const host = tf.tensor(t.data, t.shape, 'float32');
    return tf.variable(transpose ? tf.transpose(host) : host, false, name);
  });
}

let modelCounter = 0;

/**
 * Builds device weights from Hugging Face-layout host tensors.
 * @param source returns each tensor by HF name; must throw when missing or mis-shaped
 * @throws whatever `source` throws (loaders name the file and tensor)
 */
export function buildWeights(config: LlamaConfig, source: TensorSource): LlamaWeights {
  const shapes = expectedHfShapes(config);
  const id = `m${modelCounter++}`;
  const created: tf.Variable[] = [];
  const load = (name: string, transpose: boolean): tf.Variable => {
    const v = toVariable(source(name, shapes.get(name)!), transpose, `${id}/${name}`);
    created.push(v);
    return v;
  };
  const optional = (name: string) => (shapes.has(name) ? load(name, false) : null);
  try {
    const embedding = load('model.embed_tokens.weight', false);
    const blocks: BlockWeights[] = [];
    for (let l = 0; l < config.nLayers; l++) {
      const p = `model.layers.${l}.`;
      blocks.push({
        attnNorm: load(p + 'input_layernorm.weight', false),
        wq: load(p + 'self_attn.q_proj.weight', true),
        wk: load(p + 'self_attn.k_proj.weight', true),
        wv: load(p + 'self_attn.v_proj.weight', true),
        wo: load(p + 'self_attn.o_proj.weight', true),
        bq: optional(p + 'self_attn.q_proj.bias'),
        bk: optional(p + 'self_attn.k_proj.bias'),
        bv: optional(p + 'self_attn.v_proj.bias'),
        mlpNorm: load(p + 'post_attention_layernorm.weight', false),
        wGate: load(p + 'mlp.gate_proj.weight', true),
        wUp: load(p + 'mlp.up_proj.weight', true),
        wDown: load(p + 'mlp.down_proj.weight', true),
      });
    }
    const finalNorm = load('model.norm.weight', false);
    const lmHead = config.tiedEmbeddings ? null : load('lm_head.weight', true);
    return { embedding, blocks, finalNorm, lmHead };
  } catch (e) {
    created.forEach((v) => v.dispose());
    throw e;
  }
}

/** Frees every variable of a weight set. */
export function disposeWeights(w: LlamaWeights): void {
  for (const n of namedWeights(w)) n.variable.dispose();
}

/** Reads a weight back to the host in Hugging Face layout ([out, in] for linear weights). */
export async function readHfTensor(n: NamedWeight): Promise<HostTensor> {
  const t = n.transposed ? tf.transpose(n.variable) : n.variable;
  const data = (await t.data()) as Float32Array;
  const shape = t.shape.slice();
  if (t !== n.variable) t.dispose();
  return { shape, data };
}
