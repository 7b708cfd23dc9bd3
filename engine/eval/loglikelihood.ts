/**
 * Loglikelihood of a continuation given a context, lm-evaluation-harness style (its `loglikelihood` request,
 * DESIGN.md §2): the model reads (context + continuation)[:-1]; the result is Σ log p(continuation token |
 * all previous tokens), and `isGreedy` says whether every continuation token was the argmax.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaModel } from '../model/llama.ts';
import type { KeepMask } from '../model/sublayers.ts';

/** Result of scoring one continuation. */
export interface ContinuationScore {
  /** Σ log-probabilities (natural log) of the continuation tokens. */
  loglikelihood: number;
  /** True when each continuation token is the model's top-1 prediction at its position. */
  isGreedy: boolean;
  /** Number of continuation tokens scored. */
  tokens: number;
}

/**
 * Scores continuationIds after contextIds.
 * @param contextIds at least one id (usually BOS first)
 * @param continuationIds at least one id
 * @throws Error when either is empty or the pair exceeds the model's context
 */
export async function scoreContinuation(
  model: LlamaModel,
  contextIds: readonly number[],
  continuationIds: readonly number[],
  keep?: KeepMask,
): Promise<ContinuationScore> {
  if (contextIds.length === 0) throw new Error('the context must hold at least one token (e.g. BOS)');
  if (continuationIds.length === 0) throw new Error('the continuation must hold at least one token');
  const input = [...contextIds, ...continuationIds].slice(0, -1);
  const n = continuationIds.length;
  const [logProbs, argmaxes] = tf.tidy(() => {
    const ids = tf.tensor2d([input], [1, input.length], 'int32');
    const { logits } = model.forward(ids, keep ? { keep } : {}); // [1, s, V]
    const tail = tf.slice(logits, [0, input.length - n, 0], [1, n, model.config.vocabSize]); // [1, n, V]
    const logp = tf.logSoftmax(tail); // [1, n, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d([...continuationIds], 'int32'), model.config.vocabSize)), -1);
    return [picked, tf.argMax(tail, -1)]; // [1, n] each
  });
  const [lp, am] = await Promise.all([logProbs.data(), argmaxes.data()]);
  tf.dispose([logProbs, argmaxes]);
  let loglikelihood = 0;
  for (const v of lp) loglikelihood += v;
  return { loglikelihood, isGreedy: continuationIds.every((id, i) => am[i] === id), tokens: n };
}
