/**
 * Prefix reuse for a calibration scan (TrimLLM paper §3.3): scoring the candidates of one drop evaluates the
 * model once per kept sub-layer u with only u dropped. Every sub-layer before u sees exactly what it sees in the
 * model with nothing more dropped (the "base" mask), so the residual stream entering u is the base model's.
 * While a PrefixReuse session is active on a LlamaModel, a forward pass whose keep mask is the base mask minus
 * one sub-layer u (and no KV cache) starts from that stream instead of from the embedding and runs only the
 * sub-layers after u:
 *
 * - per distinct input (the token ids and padding mask, compared by value), the session keeps ONE residual
 *   stream: the base model's stream entering the sub-layer `next`;
 * - a candidate u ≥ next advances that stream through the base model's sub-layers [next, u) (once: the next
 *   candidate continues from u), then branches: runs the kept sub-layers after u from it, and the head;
 * - a candidate u < next (asked out of forward order) starts over from the embedding.
 *
 * Candidates in forward order (as importance.ts scoreSubLayers asks them) therefore cost one base forward pass
 * in total for the prefixes plus the suffixes: for 2L′ candidates about half the sub-layer evaluations of the
 * naive 2L′ full passes. The results are bit-for-bit those of the naive passes: the same operations run on the
 * same values in the same order. Memory: one [batch, seq, dim] stream per distinct input.
 */
import * as tf from '@tensorflow/tfjs';
import type { KeepMask } from './sublayers.ts';

interface Stream {
  /** Index (in the keep mask) of the sub-layer the stream enters next. */
  next: number;
  /** [batch, seq, dim], kept */
  h: tf.Tensor3D;
}

/** An active prefix-reuse session (create with LlamaModel.startPrefixReuse, end with dispose()). */
export class PrefixReuse {
  private readonly streams = new Map<string, Stream>();
  private disposed = false;

  /** @param base the keep mask the candidates are derived from (each drops one more sub-layer) */
  constructor(
    readonly base: KeepMask,
    private readonly onDispose: () => void = () => {},
  ) {}

  /** The one sub-layer `keep` drops beyond the base mask, or -1 when keep is not base minus one kept sub-layer. */
  droppedIndex(keep: KeepMask): number {
    if (this.disposed || keep.length !== this.base.length) return -1;
    let dropped = -1;
    for (let i = 0; i < keep.length; i++) {
      if (keep[i] === this.base[i]) continue;
      if (keep[i] || dropped >= 0) return -1; // keeps something the base drops, or drops two
      dropped = i;
    }
    return dropped;
  }

  /** The key of an input: its ids and padding mask by value (read back to the host; small int tensors). */
  static key(ids: tf.Tensor2D, paddingMask: tf.Tensor2D | null): string {
    const mask = paddingMask ? `|${paddingMask.dataSync().join(',')}` : '';
    return `${ids.shape.join('x')}:${ids.dataSync().join(',')}${mask}`;
  }

  /** The stored stream of an input, or undefined. */
  stream(key: string): Stream | undefined {
    return this.streams.get(key);
  }

  /** Stores (keeps) the stream of an input entering sub-layer `next`, freeing the one it replaces. */
  store(key: string, h: tf.Tensor3D, next: number): void {
    const old = this.streams.get(key);
    tf.keep(h);
    if (old && old.h !== h) old.h.dispose();
    this.streams.set(key, { next, h });
  }

  /** Frees every stored stream and detaches the session from its model. */
  dispose(): void {
    for (const s of this.streams.values()) s.h.dispose();
    this.streams.clear();
    this.disposed = true;
    this.onDispose();
  }
}
