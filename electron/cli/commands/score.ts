/** `trimllm score`: loglikelihood of a continuation given a context (lm-evaluation-harness style). */
import { scoreContinuation } from '../../../engine/eval/loglikelihood.ts';
import { encodePair } from '../../../engine/eval/encode-pair.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, required, requireTokenizer, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm score --model M [--tokenizer T] --context C --continuation X [--drop ...] [--json]
  Sum of log-probabilities of the continuation's tokens given the context (the pair tokenized as
  lm-evaluation-harness does), and whether each token was the greedy choice.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    context: { type: 'string' },
    continuation: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const context = required(values.context, 'context');
  const continuation = required(values.continuation, 'continuation');
  const loaded = await loadModelFromFlags(values);
  try {
    const tokenizer = requireTokenizer(loaded);
    const { contextIds, continuationIds } = encodePair(tokenizer, context, continuation);
    if (continuationIds.length === 0) throw new UsageError('--continuation encodes to no tokens');
    const score = await scoreContinuation(loaded.model, contextIds, continuationIds);
    const out = { loglikelihood: score.loglikelihood, is_greedy: score.isGreedy, tokens: score.tokens };
    console.log(values.json ? JSON.stringify(out) : `loglikelihood ${out.loglikelihood.toFixed(6)}  greedy ${out.is_greedy}  tokens ${out.tokens}`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}

