/**
 * llama.cpp as a runtime for exported GGUF files, through node-llama-cpp (its prebuilt CPU binaries; never built
 * or downloaded at run time). Used to verify exports against the engine (log-probabilities, greedy text), to score
 * the test split of quantized exports with the engine's harness conventions (loglikelihood of a continuation), and
 * to measure decode speed.
 *
 * Contexts are created with F32 key/value caches and flash attention off: llama.cpp's defaults (F16 cache, flash
 * attention where available) move stories260K's log-probabilities by up to 8e-3, F32 keeps them within 2e-5.
 */
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';

const tokens = (ids: readonly number[]) => ids as Token[];
import type { ContinuationScore } from '../eval/loglikelihood.ts';
import type { TargetRow, TargetScores } from '../eval/target-scores.ts';

let llamaPromise: Promise<Llama> | null = null;
/**
 * The process's one llama.cpp instance (CPU only, errors logged only), started on the first call: about a second
 * (node-llama-cpp tests its binary in a child process), paid once per process.
 */
export function llamaCppInstance(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  return llamaPromise;
}

/** Options of LlamaCppModel.open. */
export interface LlamaCppOptions {
  /** CPU threads of the context. Default 1 (on 2 cores node-llama-cpp's 2 threads were measured slower). */
  threads?: number;
  /** Context length in tokens. Default 512. */
  contextSize?: number;
}

/** A GGUF model loaded in llama.cpp with one context sequence. */
export class LlamaCppModel {
  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
  ) {}

  /**
   * Loads a GGUF file.
   * @throws Error from llama.cpp when the file is not a model it can load (message names the file)
   */
  static async open(path: string, options: LlamaCppOptions = {}): Promise<LlamaCppModel> {
    const model = await (await llamaCppInstance()).loadModel({ modelPath: path }).catch((e: unknown) => {
      throw new Error(`llama.cpp cannot load ${path}: ${e instanceof Error ? e.message : String(e)}`);
    });
    const context = await model.createContext({
      contextSize: options.contextSize ?? 512,
      threads: options.threads ?? 1,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    });
    return new LlamaCppModel(model, context, context.getSequence());
  }

  /** llama.cpp's tokenization of text, without BOS; special-token strings (`<|im_start|>`) become their ids. */
  tokenize(text: string): number[] {
    return [...this.model.tokenize(text, true)];
  }

  /**
   * Log-probabilities (natural log) of every next token after the last of `ids`.
   * @returns [vocab] values, -Infinity where llama.cpp's probability underflows to 0
   */
  async nextLogProbs(ids: readonly number[]): Promise<Float64Array> {
    await this.sequence.clearHistory();
    const out = await this.sequence.controlledEvaluate([
      ...tokens(ids.slice(0, -1)),
      [ids.at(-1)! as Token, { generateNext: { probabilities: true } }],
    ]);
    const probs = out.at(-1)!.next!.probabilities!;
    const logp = new Float64Array(probs.size).fill(-Infinity);
    for (const [token, p] of probs) logp[token] = Math.log(p);
    return logp;
  }

  /**
   * log p(target) and the top-1 token at chosen positions of one sequence, as engine/eval/target-scores.ts
   * (position p predicts token p + 1).
   * @throws Error when positions and targets differ in length or a position is outside ids
   */
  async scoreTargets(row: TargetRow): Promise<TargetScores> {
    const { ids, positions, targets } = row;
    if (positions.length !== targets.length) throw new Error('positions and targets must have the same length');
    if (positions.some((p) => p < 0 || p >= ids.length)) throw new Error(`a position is outside the ${ids.length} ids`);
    const reuse = await this.keepPrefix(ids, Math.min(...positions));
    const wanted = new Set(positions);
    const last = Math.max(...positions);
    const out = await this.sequence.controlledEvaluate(
      tokens(ids.slice(reuse, last + 1)).map((t, i) => (wanted.has(reuse + i) ? [t, { generateNext: { probabilities: true } }] as const : t)),
    );
    const logProbs = new Float32Array(positions.length);
    const argmaxes = new Int32Array(positions.length);
    positions.forEach((p, k) => {
      const probs = out[p - reuse]!.next!.probabilities!;
      logProbs[k] = Math.log(probs.get(targets[k]! as Token) ?? 0);
      let bestP = -1;
      for (const [t, pr] of probs) if (pr > bestP) { bestP = pr; argmaxes[k] = t; }
    });
    return { logProbs, argmaxes };
  }

  /**
   * Keeps the sequence's evaluated tokens that `ids` starts with, up to position `before` (exclusive: outputs are
   * wanted from there on), and erases the rest. The four choices of a multiple-choice item share their context,
   * which is then evaluated once instead of once per choice.
   * @returns how many leading tokens of `ids` stay evaluated
   */
  private async keepPrefix(ids: readonly number[], before: number): Promise<number> {
    const held = this.sequence.contextTokens;
    let common = 0;
    while (common < before && common < held.length && held[common] === ids[common]) common++;
    if (common === 0) await this.sequence.clearHistory();
    else if (common < held.length) await this.sequence.eraseContextTokenRanges([{ start: common, end: held.length }]);
    return common;
  }

  /**
   * Scores a continuation as engine/eval/loglikelihood.ts does: Σ log p(continuation token | previous tokens).
   * @throws Error when either list is empty
   */
  async scoreContinuation(contextIds: readonly number[], continuationIds: readonly number[]): Promise<ContinuationScore> {
    if (contextIds.length === 0 || continuationIds.length === 0) throw new Error('context and continuation must be non-empty');
    const ids = [...contextIds, ...continuationIds];
    const positions = continuationIds.map((_, k) => contextIds.length - 1 + k);
    const { logProbs, argmaxes } = await this.scoreTargets({ ids, positions, targets: continuationIds });
    return {
      loglikelihood: logProbs.reduce((a, v) => a + v, 0),
      isGreedy: continuationIds.every((id, k) => argmaxes[k] === id),
      tokens: continuationIds.length,
    };
  }

  /**
   * Greedy continuation of `promptIds` (temperature 0, no penalties, not stopped by end-of-sequence tokens).
   * @returns the generated ids and decode speed (tokens after the first / seconds spent on them)
   */
  async greedy(promptIds: readonly number[], maxTokens: number): Promise<{ ids: number[]; decodeTokensPerSecond: number }> {
    await this.sequence.clearHistory();
    const ids: number[] = [];
    let start = 0;
    for await (const token of this.sequence.evaluate(tokens(promptIds), { temperature: 0 })) {
      ids.push(token);
      if (ids.length === 1) start = performance.now();
      if (ids.length >= maxTokens) break;
    }
    const seconds = (performance.now() - start) / 1000;
    return { ids, decodeTokensPerSecond: ids.length > 1 ? (ids.length - 1) / seconds : 0 };
  }

  /** Frees the context and the model. */
  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
