/**
 * Gradients of one micro-batch, shared by the trainer (trainer.ts) and the data-parallel workers
 * (engine/parallel/worker.ts): the loss is Σ w·NLL / N with N the target tokens of the whole optimizer step, so
 * the gradients of the parts of a step add up to the gradient of the step, however its rows are split.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import { disposeBatch, toTensors, type HostBatch } from './batch.ts';
import { maskedNllSum } from './loss.ts';
import type { TrainableParam } from './params.ts';

/** Loss and gradients of one micro-batch; the caller disposes every tensor. */
export interface MicroBatchGradients {
  /** Σ w·NLL / N over this micro-batch, scalar. */
  loss: tf.Scalar;
  /** Parameter name → gradient (weights the loss does not reach are absent). */
  grads: Map<string, tf.Tensor>;
}

/**
 * ∇ of the micro-batch's share of the step loss with respect to `params` (only they are in the varList of
 * tf.variableGrads; every other weight gets no gradient buffer).
 * @param stepTargetTokens N, the target tokens of the whole optimizer step (> 0)
 */
export function microBatchGradients(
  model: LlamaModel,
  params: readonly TrainableParam[],
  mb: HostBatch,
  stepTargetTokens: number,
): MicroBatchGradients {
  const varList = params.map((p) => p.variable);
  const nameOf = new Map(params.map((p) => [p.variable.name, p.name]));
  const wasTrainable = varList.map((v) => v.trainable);
  const batch = toTensors(mb);
  try {
    varList.forEach((v) => (v.trainable = true)); // variableGrads skips non-trainable variables
    const { value, grads: g } = tf.variableGrads(() => {
      const { logits } = model.forward(batch.ids, batch.paddingMask ? { paddingMask: batch.paddingMask } : {});
      return tf.div(maskedNllSum(logits, batch.targets, batch.targetMask), stepTargetTokens) as tf.Scalar;
    }, varList);
    const grads = new Map<string, tf.Tensor>();
    for (const [varName, grad] of Object.entries(g)) if (grad) grads.set(nameOf.get(varName)!, grad);
    return { loss: value, grads };
  } finally {
    varList.forEach((v, i) => (v.trainable = wasTrainable[i]!));
    disposeBatch(batch);
  }
}
