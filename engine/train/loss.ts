/**
 * Causal-LM cross-entropy masked to response tokens (the standard next-token objective, e.g. Radford et al.
 * 2018 Eq. 1, restricted to target tokens as in instruction tuning):
 *
 *   L = Σ_{b,t} w[b,t] · −log softmax(logits[b,t,:])[target[b,t]]  /  Σ_{b,t} w[b,t]
 *
 * where w is the target mask (1 on response tokens, 0 on prompt and padding). log softmax is computed as
 * x − logsumexp(x) with the max subtracted (tf.logSoftmax), so large logits neither overflow nor lose the
 * small probabilities.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Summed negative log-likelihood of the targets, Σ w · NLL (a device scalar, differentiable).
 * Gradient accumulation sums these over micro-batches and divides once by the step's target-token count.
 * @param logits [b, s, vocab] model output for ids [b, s]; the last position (predicting past the end) is unused
 * @param targets [b, s − 1] int32, ids[:, 1:]
 * @param targetMask [b, s − 1] float32 weights, 1 trained / 0 ignored
 * @returns scalar, nats
 * @throws Error when the shapes do not line up
 */
export function maskedNllSum(logits: tf.Tensor3D, targets: tf.Tensor2D, targetMask: tf.Tensor2D): tf.Scalar {
  const [b, s, vocab] = logits.shape;
  const [tb, ts] = targets.shape;
  if (tb !== b || ts !== s - 1 || targetMask.shape[0] !== b || targetMask.shape[1] !== s - 1) {
    throw new Error(
      `loss shapes do not line up: logits [${logits.shape.join(', ')}] needs targets and mask [${b}, ${s - 1}], ` +
        `got [${targets.shape.join(', ')}] and [${targetMask.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const used = tf.slice(logits, [0, 0, 0], [b, s - 1, vocab]); // [b, s − 1, vocab]
    const logProbs = tf.logSoftmax(used, -1); // [b, s − 1, vocab]
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(targets, vocab)), -1); // [b, s − 1] log p(target)
    return tf.neg(tf.sum(tf.mul(picked, targetMask))) as tf.Scalar;
  });
}

/** Result of causalLmLoss. The caller disposes the tensors. */
export interface MaskedLoss {
  /** Mean NLL per target token, nats (NaN when there is no target token). */
  loss: tf.Scalar;
  /** Summed NLL, nats. */
  sum: tf.Scalar;
  /** Number of target tokens, Σ targetMask. */
  tokenCount: tf.Scalar;
}

/**
 * Mean masked cross-entropy over target tokens, with its sum and token count (see maskedNllSum for shapes).
 * @throws Error when the shapes do not line up
 */
export function causalLmLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, targetMask: tf.Tensor2D): MaskedLoss {
  return tf.tidy(() => {
    const sum = maskedNllSum(logits, targets, targetMask);
    const tokenCount = tf.sum(targetMask) as tf.Scalar;
    return { loss: tf.div(sum, tokenCount) as tf.Scalar, sum, tokenCount };
  });
}

/**
 * Summed distillation term Σ_{b,t} w[b,t] · KL(p_teacher ‖ p_student) at temperature 1 (Hinton et al. 2015, with
 * T = 1): `KL = Σ_v p_T(v) (log p_T(v) − log p_S(v))`, over the positions that predict a target token. The
 * teacher's logits carry no gradient (the caller computes them outside the tape).
 * @param student [b, s, vocab] logits of the model being trained
 * @param teacher [b, s, vocab] logits of the teacher on the same ids
 * @param targetMask [b, s − 1] weights, as for maskedNllSum
 * @returns scalar, nats
 * @throws Error when the shapes do not line up
 */
export function maskedKlSum(student: tf.Tensor3D, teacher: tf.Tensor3D, targetMask: tf.Tensor2D): tf.Scalar {
  const [b, s, vocab] = student.shape;
  if (!tf.util.arraysEqual(student.shape, teacher.shape) || targetMask.shape[0] !== b || targetMask.shape[1] !== s - 1) {
    throw new Error(`distillation shapes do not line up: student [${student.shape.join(', ')}], teacher [${teacher.shape.join(', ')}], mask [${targetMask.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const logS = tf.logSoftmax(tf.slice(student, [0, 0, 0], [b, s - 1, vocab]), -1);
    const logT = tf.logSoftmax(tf.slice(teacher, [0, 0, 0], [b, s - 1, vocab]), -1);
    const kl = tf.sum(tf.mul(tf.exp(logT), tf.sub(logT, logS)), -1); // [b, s − 1]
    return tf.sum(tf.mul(kl, targetMask)) as tf.Scalar;
  });
}
