/**
 * Which weights are trained: the trainable mask over sub-layers of sparse fine-tuning (TrimLLM paper §3.4;
 * DESIGN.md §1) intersected with the keep mask. A weight is trainable when its sub-layer is both kept and
 * marked trainable; embedding, final norm and LM head are frozen unless asked for. Everything else is frozen:
 * never handed to tf.variableGrads, so it gets no gradient and no update and keeps its exact bits.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import { namedWeights } from '../model/weights.ts';
import { keptNames, parseSubLayer, subLayerName, type KeepMask, type SubLayerName } from '../model/sublayers.ts';

/** What to train. */
export interface TrainableSpec {
  /**
   * Trainable sub-layers, e.g. `['attn1', 'mlp3']` (the top ⌈r · 2L⌉ of the sparse-update ranking), or 'all'
   * (default). Dropped sub-layers are never trained, whatever this says.
   */
  subLayers?: readonly string[] | 'all';
  /**
   * The trainable mask over the 2L sub-layers, in the keep mask's layout (index 2l = attn l, 2l + 1 = mlp l): the
   * form a run's state, its checkpoints and the database hold. Takes precedence over `subLayers`.
   */
  mask?: KeepMask;
  /** Train the token embedding (default false). With tied embeddings this is also the LM head. */
  embedding?: boolean;
  /** Train the final RMSNorm gain (default false). */
  finalNorm?: boolean;
  /** Train the LM head (default false). With tied embeddings it is the embedding matrix. */
  head?: boolean;
}

/** A weight the trainer updates. */
export interface TrainableParam {
  /** Hugging Face tensor name: stable across loads, so optimizer state saved under it can be restored. */
  name: string;
  variable: tf.Variable;
  /** Owning sub-layer, or null for embedding, final norm and head. */
  subLayer: SubLayerName | null;
}

/**
 * Canonical names of the trainable sub-layers of a spec (validated; 'all' expands to every sub-layer).
 * @throws Error on a malformed or out-of-range sub-layer name (see parseSubLayer), or a mask of the wrong length
 */
export function trainableSubLayers(spec: TrainableSpec, nLayers: number): Set<SubLayerName> {
  if (spec.mask) {
    if (spec.mask.length !== 2 * nLayers) throw new Error(`trainable mask has ${spec.mask.length} entries; the model has ${2 * nLayers} sub-layers`);
    return new Set(keptNames(spec.mask));
  }
  if (spec.subLayers === undefined || spec.subLayers === 'all') {
    return new Set(keptNames(new Array<boolean>(2 * nLayers).fill(true)));
  }
  return new Set(spec.subLayers.map((n) => subLayerName(parseSubLayer(n, nLayers))));
}

/**
 * The weights to train, in namedWeights order: those of kept ∩ trainable sub-layers, plus the embedding /
 * final norm / head when the spec asks for them (a tied head is listed once, as the embedding).
 * @param keep keep mask (default: the model's own)
 * @throws Error on a bad sub-layer name
 */
export function selectTrainable(model: LlamaModel, spec: TrainableSpec, keep: KeepMask = model.keepMask): TrainableParam[] {
  const wanted = trainableSubLayers(spec, model.config.nLayers);
  const kept = new Set(keptNames(keep));
  const w = model.weights;
  const globals = new Set<tf.Variable>();
  if (spec.embedding || (spec.head && !w.lmHead)) globals.add(w.embedding);
  if (spec.finalNorm) globals.add(w.finalNorm);
  if (spec.head && w.lmHead) globals.add(w.lmHead);
  return namedWeights(w)
    .filter((n) => (n.subLayer === null ? globals.has(n.variable) : wanted.has(n.subLayer) && kept.has(n.subLayer)))
    .map((n) => ({ name: n.hfName, variable: n.variable, subLayer: n.subLayer }));
}
