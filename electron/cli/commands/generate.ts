/** `trimllm generate`: stream a continuation of a prompt to stdout; tokens/s to stderr. */
import { generate } from '../../../engine/model/generate.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, requireTokenizer } from '../args.ts';
import { CliSamplingSchema, numericFlags } from '../validate.ts';

/** Help text of the command. */
export const help = `trimllm generate --model M [--tokenizer T] [--prompt P] [--temperature 0] [--top-k 0] [--top-p 1]
                 [--repetition-penalty 1] [--max-tokens 256] [--seed 0] [--stop STR]... [--drop attn2,mlp0]
  Prints the prompt and its continuation. Temperature 0 is greedy decoding.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS,
    prompt: { type: 'string', default: '' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'repetition-penalty': { type: 'string' },
    'max-tokens': { type: 'string' },
    seed: { type: 'string' },
    stop: { type: 'string', multiple: true },
    quiet: { type: 'boolean', default: false },
  });
  const n = numericFlags(CliSamplingSchema, values, {
    temperature: 'temperature', 'top-k': 'topK', 'top-p': 'topP', 'repetition-penalty': 'repetitionPenalty', 'max-tokens': 'maxTokens', seed: 'seed',
  });
  const loaded = await loadModelFromFlags(values);
  try {
    const tokenizer = requireTokenizer(loaded);
    const prompt = values.prompt ?? '';
    process.stdout.write(prompt);
    const stream = generate(loaded.model, tokenizer, tokenizer.encode(prompt), {
      temperature: n.temperature ?? 0,
      topK: n.topK ?? 0,
      topP: n.topP ?? 1,
      repetitionPenalty: n.repetitionPenalty ?? 1,
      maxTokens: n.maxTokens ?? 256,
      seed: n.seed ?? 0,
      stopStrings: values.stop ?? [],
    });
    for (;;) {
      const step = await stream.next();
      if (step.done) {
        process.stdout.write('\n');
        if (!values.quiet) {
          const s = step.value;
          process.stderr.write(
            `[${s.tokenIds.length} tokens, stop: ${s.reason}, prefill ${s.prefillTokensPerSecond.toFixed(1)} tokens/s, ` +
              `decode ${s.decodeTokensPerSecond.toFixed(1)} tokens/s]\n`,
          );
        }
        return 0;
      }
      process.stdout.write(step.value.text);
    }
  } finally {
    loaded.model.dispose();
  }
}
