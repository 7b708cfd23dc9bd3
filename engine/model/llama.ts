/**
 * A Llama-family decoder with a keep mask over its 2L sub-layers (TrimLLM paper §3.1; DESIGN.md §1).
 *
 *   h = embed(ids)
 *   for each block l:  h += attn_l(rmsNorm(h))   unless attn_l is dropped
 *                      h += mlp_l(rmsNorm(h))    unless mlp_l is dropped
 *   logits = rmsNorm(h) · head
 *
 * A dropped sub-layer is skipped; the residual stream passes through unchanged. Create with `new LlamaModel`,
 * free with `dispose()`.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './config.ts';
import { disposeWeights, namedWeights, type BlockWeights, type LlamaWeights } from './weights.ts';
import { releasePackedCopies } from '../backend/wasm-kernels.ts';
import { createRope, disposeRope, ropeWindow, type RopeTables } from './rope.ts';
import { rmsNorm } from './rmsnorm.ts';
import { attentionBias, fuseQkv, selfAttention, type AttentionContext, type FusedQkv } from './attention.ts';
import { fuseGateUp, swiGluMlp } from './mlp.ts';
import { reserveCache, type KvCache } from './kv-cache.ts';
import { allSubLayers, fullKeepMask, subLayerName, type KeepMask, type SubLayerName } from './sublayers.ts';
import { DerivedTensors, gradientsInBackward, recordingGradients } from './derived.ts';
import { PrefixReuse } from './prefix-reuse.ts';

/** Options of LlamaModel.forward. */
export interface ForwardOptions {
  /** Sub-layers to run (length 2L). Default: the model's own keepMask. */
  keep?: KeepMask;
  /**
   * Padding mask, [batch, cacheLength + seq]: 1 for real tokens, 0 for padding keys. Sequences are
   * right-padded (positions count from 0 at the first token). Default: no padding.
   */
  paddingMask?: tf.Tensor2D;
  /** KV cache for incremental decoding; read and extended in place, its length advanced by seq. */
  cache?: KvCache;
  /** Return logits for the last position only ([batch, 1, vocab]); saves the head's compute on prefill. */
  lastPositionOnly?: boolean;
  /** Also return each kept sub-layer's output (the tensor added to the residual stream). */
  collectSubLayerOutputs?: boolean;
}

/** Result of LlamaModel.forward. The caller owns (and must dispose) every tensor in it. */
export interface ForwardResult {
  /** [batch, seq, vocab] (or [batch, 1, vocab] with lastPositionOnly) */
  logits: tf.Tensor3D;
  /** Each kept sub-layer's output, [batch, seq, dim], when collectSubLayerOutputs was set. */
  subLayerOutputs?: Map<SubLayerName, tf.Tensor3D>;
}

/** Per-pass state shared by the sub-layers. */
interface PassContext {
  attention: AttentionContext;
  batch: number;
  seq: number;
  /** Use the fused projections (inference) or the per-matrix variables (under a gradient tape). */
  fused: boolean;
  /** Run each block as one checkpointed unit (training with checkpointActivations). */
  checkpoint: boolean;
  outputs: Map<SubLayerName, tf.Tensor3D> | undefined;
}

/** A Llama-family decoder on TensorFlow.js. */
export class LlamaModel {
  /** The model's own keep mask (the trimmed architecture); forward() uses it unless told otherwise. */
  keepMask: KeepMask;
  /**
   * Use the fused q/k/v and gate/up projections at inference (see `derived`); false runs the per-matrix
   * products, as training does. Default: on for the native `tensorflow` backend only. On wasm it was measured
   * (engine/bench/README.md, performance log) to gain nothing — a batch-1 decode step is bound by reading the
   * weights, and XNNPACK's per-product overhead is small — while the copies cost 236 MB on a stories110M shape.
   * Set it before the first forward pass (or call decodeMatrices) to have the copies built up front.
   */
  fuseProjections: boolean;
  /**
   * Activation checkpointing while training (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost"):
   * the forward pass keeps only each block's input, and the backward pass runs the block again under its own
   * gradient tape (one more forward pass per step) for its activations, freed block by block. Memory of the
   * kept activations and their gradients goes from all L blocks' to one block's plus L residual streams
   * (train/memory.ts). Gradients equal the plain path's up to float32 summation order. Default off.
   */
  checkpointActivations = false;
  /** Sub-layers run by forward() so far (a count, for tests and the bench's scan accounting). */
  subLayerEvaluations = 0;
  /**
   * Soft dropping (engine/trim/soft-drop.ts): sub-layer index → factor s in [0, 1] on its residual contribution,
   * `h_out = h_in + s · f(h_in)`. A sub-layer not in the map adds its full output (s = 1, no multiply); s = 0
   * gives exactly the dropped sub-layer's stream (h + 0·f = h for finite f). Empty unless a soft drop is fading.
   */
  readonly residualScale = new Map<number, number>();
  private readonly rope: RopeTables;
  /**
   * Inference copies of weights (derived.ts): each block's fused q/k/v (`qkv<l>`) and gate/up (`gateUp<l>`)
   * projections, one product instead of three and two; and, for tied models on the wasm backend, the embedding
   * transposed to [dim, vocab] (`head`), the LM head's layout for a plain `x @ W` product. tfjs-wasm runs
   * `x @ Eᵀ` (a transpose flag) as a scalar loop, its plain product with XNNPACK: decode of a SmolLM2-135M-shaped
   * model goes from ~14 to ~22 tokens/s, at the cost of vocab · dim · 4 bytes more (113 MB there). All are used
   * whenever no gradient tape records, built by the constructor and rebuilt when a source weight changed; while
   * a gradient tape records (a training step) they are all released and the head is the product with the
   * embedding itself (`x @ Eᵀ`, which the wasm kernel runs as `(E · xᵀ)ᵀ` through XNNPACK, wasm-kernels.ts), so
   * training holds no copies (memory: `derived.bytes()`, e.g. 236 MB of fused projections for a stories110M
   * shape and 189 MB of head for a SmolLM2-360M one, each plus the backend's packed copy).
   */
  readonly derived = new DerivedTensors();
  private prefixReuse: PrefixReuse | null = null;

  /**
   * @param config architecture
   * @param weights device weights (the model takes ownership; dispose() frees them)
   * @param keepMask sub-layers kept, length 2L (default: all)
   */
  constructor(
    readonly config: LlamaConfig,
    readonly weights: LlamaWeights,
    keepMask?: KeepMask,
  ) {
    this.keepMask = keepMask ?? fullKeepMask(config.nLayers);
    if (this.keepMask.length !== 2 * config.nLayers) {
      throw new Error(`keep mask has ${this.keepMask.length} entries; this model has ${2 * config.nLayers} sub-layers`);
    }
    this.rope = createRope(config.headDim, config.maxSeqLen, config.ropeTheta);
    this.fuseProjections = tf.getBackend() === 'tensorflow';
    this.decodeMatrices(fullKeepMask(config.nLayers)); // builds the inference copies now (a fixed tensor count)
  }

  /**
   * The LM head as a [dim, vocab] right operand (untied weight, or the tied embedding's cached transpose at
   * inference on wasm), or null for the product with the embedding itself (`x @ Eᵀ`).
   */
  private headWeight(): tf.Tensor2D | null {
    const { lmHead, embedding } = this.weights;
    if (lmHead) return lmHead as tf.Tensor2D;
    if (embedding.trainable || tf.getBackend() !== 'wasm' || recordingGradients()) return null;
    return this.derived.get('head', [embedding], () => [tf.transpose(embedding) as tf.Tensor2D])[0];
  }

  /** The head product `normed @ head`, [rows, vocab]. */
  private headProduct(normed: tf.Tensor2D): tf.Tensor2D {
    const w = this.headWeight();
    return w ? tf.matMul(normed, w) : tf.matMul(normed, this.weights.embedding, false, true);
  }

  private fusedQkv(block: BlockWeights, l: number): FusedQkv {
    const sources = [block.wq, block.wk, block.wv, ...(block.bq && block.bk && block.bv ? [block.bq, block.bk, block.bv] : [])];
    const [weight, bias] = this.derived.get(`qkv${l}`, sources, () => {
      const f = fuseQkv(block);
      return f.bias ? [f.weight, f.bias] : [f.weight];
    });
    return { weight: weight as tf.Tensor2D, bias: (bias as tf.Tensor1D | undefined) ?? null };
  }

  private fusedGateUp(block: BlockWeights, l: number): tf.Tensor2D {
    return this.derived.get(`gateUp${l}`, [block.wGate, block.wUp], () => [fuseGateUp(block)])[0];
  }

  /**
   * The weight matrices one decoded token (batch 1) multiplies a vector by with a keep mask, in forward order:
   * per kept attention sub-layer the q/k/v projections (one fused matrix when fuseProjections) and the output
   * projection, per kept MLP gate and up (fused likewise) and down, then the LM head; the same tensors
   * forward() uses (building the fused copies if needed). For the bench's matvec-only timing; a tied head off wasm is returned as the
   * [vocab, dim] embedding with `transposeB` true.
   */
  decodeMatrices(keep: KeepMask = this.keepMask): { weight: tf.Tensor2D; transposeB: boolean }[] {
    const out: { weight: tf.Tensor2D; transposeB: boolean }[] = [];
    const plain = (...ws: tf.Variable[]) => ws.map((w) => ({ weight: w as tf.Tensor2D, transposeB: false }));
    const fuse = this.fuseProjections;
    this.weights.blocks.forEach((block, l) => {
      if (keep[2 * l]) {
        out.push(...(fuse ? [{ weight: this.fusedQkv(block, l).weight, transposeB: false }] : plain(block.wq, block.wk, block.wv)));
        out.push(...plain(block.wo));
      }
      if (keep[2 * l + 1]) {
        out.push(...(fuse ? [{ weight: this.fusedGateUp(block, l), transposeB: false }] : plain(block.wGate, block.wUp)));
        out.push(...plain(block.wDown));
      }
    });
    const head = this.headWeight();
    out.push(head ? { weight: head, transposeB: false } : { weight: this.weights.embedding as tf.Tensor2D, transposeB: true });
    return out;
  }

  /**
   * Starts a prefix-reuse session (prefix-reuse.ts) for candidates derived from `base`: until its dispose(),
   * forward passes with `base` minus one sub-layer reuse the base model's residual stream before that
   * sub-layer. One session at a time; starting another ends the previous one.
   */
  startPrefixReuse(base: KeepMask): PrefixReuse {
    this.prefixReuse?.dispose();
    const session = new PrefixReuse(base, () => {
      if (this.prefixReuse === session) this.prefixReuse = null;
    });
    this.prefixReuse = session;
    return session;
  }

  /** Runs sub-layer `index` (2l: attention, 2l+1: MLP of block l) and adds its output to h. */
  private subLayer(h: tf.Tensor3D, index: number, pass: PassContext): tf.Tensor3D {
    const { config, weights } = this;
    const l = index >> 1;
    const block = weights.blocks[l]!;
    this.subLayerEvaluations++;
    let out: tf.Tensor3D;
    if (index % 2 === 0) {
      const normed = rmsNorm(h, block.attnNorm, config.normEps);
      out = selfAttention(normed, block, l, pass.attention, pass.fused ? this.fusedQkv(block, l) : null);
      if (pass.outputs) pass.outputs.set(`attn${l}`, tf.keep(out));
    } else {
      const normed = rmsNorm(h, block.mlpNorm, config.normEps).reshape([pass.batch * pass.seq, config.dim]) as tf.Tensor2D;
      const gateUp = pass.fused ? this.fusedGateUp(block, l) : null;
      out = swiGluMlp(normed, block, gateUp).reshape([pass.batch, pass.seq, config.dim]) as tf.Tensor3D;
      if (pass.outputs) pass.outputs.set(`mlp${l}`, tf.keep(out));
    }
    const scale = this.residualScale.get(index);
    return tf.add(h, scale === undefined ? out : tf.mul(out, scale));
  }

  /** Runs the sub-layers `from..to-1` that `keep` keeps, starting from the residual stream h. */
  private subLayers(h: tf.Tensor3D, from: number, to: number, keep: KeepMask, pass: PassContext): tf.Tensor3D {
    if (pass.checkpoint) {
      for (let start = from; start < to; start = (start | 1) + 1) {
        const end = Math.min(to, (start | 1) + 1); // the rest of this block
        if (keep.slice(start, end).some(Boolean)) h = this.checkpointed(h, start, end, keep, pass);
      }
      return h;
    }
    for (let i = from; i < to; i++) if (keep[i]) h = this.subLayer(h, i, pass);
    return h;
  }

  /**
   * Sub-layers `from..to-1` (one block) as a checkpointed unit (see checkpointActivations): a tf.customGrad
   * whose inputs are the residual stream and the trainable weights of the kept sub-layers, so their gradients
   * come back; frozen weights are constants of it.
   */
  private checkpointed(h: tf.Tensor3D, from: number, to: number, keep: KeepMask, pass: PassContext): tf.Tensor3D {
    // The pass's own tensors (attention bias, RoPE window) die with the forward pass's tidy: saved with the
    // input (shared, not copied) for the backward pass's re-run.
    const { bias, ropeWindow: window } = pass.attention;
    const constants = [...(window ? [window.cos, window.sin] : []), ...(bias ? [bias] : [])];
    const run = (x: tf.Tensor3D, saved: readonly tf.Tensor[]) => {
      const attention = {
        ...pass.attention,
        ropeWindow: window ? { cos: saved[0] as tf.Tensor2D, sin: saved[1] as tf.Tensor2D } : undefined,
        bias: bias ? (saved[saved.length - 1] as tf.Tensor4D) : null,
      };
      return this.subLayers(x, from, to, keep, { ...pass, attention, checkpoint: false });
    };
    const owners = new Set<SubLayerName>(allSubLayers(this.config.nLayers).filter((_, i) => i >= from && i < to && keep[i]).map(subLayerName));
    const weights = namedWeights(this.weights).filter((w) => w.subLayer !== null && owners.has(w.subLayer) && w.variable.trainable).map((w) => w.variable);
    const unit = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor3D;
      (args[args.length - 1] as tf.GradSaveFunc)([x, ...constants]);
      return {
        value: run(x, constants),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
          gradientsInBackward(() => run(saved[0] as tf.Tensor3D, saved.slice(1)), [saved[0]!, ...weights], dy as tf.Tensor),
      };
    });
    return unit(h, ...weights) as tf.Tensor3D;
  }

  /**
   * The residual stream entering sub-layer `dropped` of the session's base model (stored for the next
   * candidate); computed from the stored stream of this input when it is not past `dropped`, else from the
   * embedding.
   */
  private reusedPrefix(session: PrefixReuse, key: string, ids: tf.Tensor2D, dropped: number, pass: PassContext): tf.Tensor3D {
    const stored = session.stream(key);
    const fresh = !stored || stored.next > dropped;
    const start = fresh ? (tf.gather(this.weights.embedding, ids) as tf.Tensor3D) : stored.h;
    const h = this.subLayers(start, fresh ? 0 : stored.next, dropped, session.base, pass);
    session.store(key, h, dropped);
    return h;
  }

  /**
   * Runs the decoder on token ids.
   * @param ids [batch, seq] int32 token ids
   * @throws Error when the sequence would exceed maxSeqLen or ids are not rank 2
   */
  forward(ids: tf.Tensor2D, options: ForwardOptions = {}): ForwardResult {
    const keep = options.keep ?? this.keepMask;
    const cache = options.cache ?? null;
    const offset = cache?.length ?? 0;
    const [batch, seq] = ids.shape;
    if (ids.rank !== 2) throw new Error(`forward expects ids of shape [batch, seq], got [${ids.shape.join(', ')}]`);
    if (offset + seq > this.config.maxSeqLen) {
      throw new Error(
        `sequence of ${offset + seq} tokens exceeds the model's context of ${this.config.maxSeqLen} positions`,
      );
    }
    const outputs = options.collectSubLayerOutputs ? new Map<SubLayerName, tf.Tensor3D>() : undefined;
    const training = recordingGradients();
    if (training) {
      // No inference copies while training: derived tensors, and the packed copies an earlier inference product
      // left on the weights (wasm-kernels.ts; products under the tape keep none).
      this.derived.release(() => true);
      releasePackedCopies(namedWeights(this.weights).map((w) => w.variable));
    }
    const session = this.prefixReuse;
    const dropped = session && !cache && !outputs && !training && this.residualScale.size === 0 ? session.droppedIndex(keep) : -1;
    const logits = tf.tidy(() => {
      const { config, weights } = this;
      const paddingMask = options.paddingMask ?? null;
      if (cache) reserveCache(cache, offset + seq, config.maxSeqLen);
      const bias = attentionBias(seq, offset, paddingMask);
      const attention = { config, rope: this.rope, ropeWindow: ropeWindow(this.rope, offset, seq), offset, bias, cache };
      const checkpoint = training && this.checkpointActivations && !outputs;
      const pass: PassContext = { attention, batch, seq, fused: !training && this.fuseProjections, checkpoint, outputs };
      let h: tf.Tensor3D;
      if (dropped >= 0) {
        const prefix = this.reusedPrefix(session!, PrefixReuse.key(ids, paddingMask), ids, dropped, pass);
        h = this.subLayers(prefix, dropped + 1, keep.length, keep, pass);
      } else {
        h = this.subLayers(tf.gather(weights.embedding, ids) as tf.Tensor3D, 0, keep.length, keep, pass); // [b, s, dim]
      }
      if (options.lastPositionOnly) h = tf.slice(h, [0, seq - 1, 0], [batch, 1, config.dim]);
      const rows = h.shape[1];
      const normed = rmsNorm(h, weights.finalNorm, config.normEps).reshape([batch * rows, config.dim]);
      return this.headProduct(normed as tf.Tensor2D).reshape([batch, rows, config.vocabSize]) as tf.Tensor3D;
    });
    if (cache) cache.length = offset + seq;
    return outputs ? { logits, subLayerOutputs: outputs } : { logits };
  }

  /** Frees weights, RoPE tables, the derived inference copies and any prefix-reuse session. */
  dispose(): void {
    this.prefixReuse?.dispose();
    this.derived.clear();
    disposeWeights(this.weights);
    disposeRope(this.rope);
  }
}
