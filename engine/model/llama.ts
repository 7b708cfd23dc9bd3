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
import { disposeWeights, type LlamaWeights } from './weights.ts';
import { createRope, disposeRope, ropeWindow, type RopeTables } from './rope.ts';
import { rmsNorm } from './rmsnorm.ts';
import { attentionBias, selfAttention } from './attention.ts';
import { swiGluMlp } from './mlp.ts';
import type { KvCache } from './kv-cache.ts';
import { fullKeepMask, type KeepMask, type SubLayerName } from './sublayers.ts';

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

/** A Llama-family decoder on TensorFlow.js. */
export class LlamaModel {
  /** The model's own keep mask (the trimmed architecture); forward() uses it unless told otherwise. */
  keepMask: KeepMask;
  private readonly rope: RopeTables;
  /**
   * Tied models on the wasm backend: the embedding transposed to [dim, vocab], the LM head's layout for a plain
   * `x @ W` product. tfjs-wasm runs `x @ Eᵀ` (a transpose flag) as a scalar loop, its plain product with
   * XNNPACK: decode of a SmolLM2-135M-shaped model goes from ~14 to ~22 tokens/s, at the cost of vocab · dim · 4
   * bytes more (113 MB there; XNNPACK keeps a packed copy of every matmul weight anyway). Used while the
   * embedding is not being trained (a trainable one takes the differentiable `x @ Eᵀ`); rebuilt when the
   * embedding's data changes (an assign gives it new data). Null for untied models and other backends.
   */
  private tiedHead: { source: tf.DataId; weight: tf.Tensor2D } | null = null;

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
    if (!weights.lmHead && tf.getBackend() === 'wasm') this.tiedHead = this.transposedEmbedding();
  }

  private transposedEmbedding(): { source: tf.DataId; weight: tf.Tensor2D } {
    const e = this.weights.embedding;
    return { source: e.dataId, weight: tf.keep(tf.transpose(e) as tf.Tensor2D) }; // kept out of forward's tidy
  }

  /** The head product `normed @ headᵀ` of a tied model (see tiedHead). */
  private tiedHeadProduct(normed: tf.Tensor2D): tf.Tensor2D {
    const e = this.weights.embedding;
    if (e.trainable || !this.tiedHead) return tf.matMul(normed, e, false, true);
    if (this.tiedHead.source !== e.dataId) {
      this.tiedHead.weight.dispose();
      this.tiedHead = this.transposedEmbedding();
    }
    return tf.matMul(normed, this.tiedHead.weight);
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
    const logits = tf.tidy(() => {
      const { config, weights } = this;
      const bias = attentionBias(seq, offset, options.paddingMask ?? null);
      const ctx = { config, rope: this.rope, ropeWindow: ropeWindow(this.rope, offset, seq), offset, bias, cache };
      let h = tf.gather(weights.embedding, ids) as tf.Tensor3D; // [b, s, dim]
      weights.blocks.forEach((block, l) => {
        if (keep[2 * l]) {
          const out = selfAttention(rmsNorm(h, block.attnNorm, config.normEps), block, l, ctx); // [b, s, dim]
          if (outputs) outputs.set(`attn${l}`, tf.keep(out));
          h = tf.add(h, out);
        }
        if (keep[2 * l + 1]) {
          const normed = rmsNorm(h, block.mlpNorm, config.normEps).reshape([batch * seq, config.dim]);
          const out = swiGluMlp(normed as tf.Tensor2D, block).reshape([batch, seq, config.dim]) as tf.Tensor3D;
          if (outputs) outputs.set(`mlp${l}`, tf.keep(out));
          h = tf.add(h, out);
        }
      });
      if (options.lastPositionOnly) h = tf.slice(h, [0, seq - 1, 0], [batch, 1, config.dim]);
      const rows = h.shape[1];
      const normed = rmsNorm(h, weights.finalNorm, config.normEps).reshape([batch * rows, config.dim]);
      const head = weights.lmHead
        ? tf.matMul(normed as tf.Tensor2D, weights.lmHead)
        : this.tiedHeadProduct(normed as tf.Tensor2D);
      return head.reshape([batch, rows, config.vocabSize]) as tf.Tensor3D;
    });
    if (cache) cache.length = offset + seq;
    return outputs ? { logits, subLayerOutputs: outputs } : { logits };
  }

  /** Frees weights and RoPE tables. */
  dispose(): void {
    this.tiedHead?.weight.dispose();
    this.tiedHead = null;
    disposeWeights(this.weights);
    disposeRope(this.rope);
  }
}
