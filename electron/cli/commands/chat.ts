/** `trimllm chat`: a terminal chat with any model or checkpoint, answers streamed with tokens/s. */
import { createInterface } from 'node:readline/promises';
import { generate } from '../../../engine/model/generate.ts';
import { renderChatPrompt } from '../../../engine/data/chat-prompt.ts';
import type { ChatMessage } from '../../../engine/io/tokenizer.ts';
import { loadModelFromFlags, MODEL_OPTIONS, numberOption, parse, requireTokenizer } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm chat (--model M | --checkpoint ID) [--system S] [--temperature 0.7] [--top-p 0.9]
              [--max-tokens 200] [--seed 0] [--message TEXT]...
  Reads your messages from the terminal (/reset starts over, /exit or Ctrl-D quits) and streams the answers,
  using the model's chat template when its tokenizer has one. --message sends messages without a terminal.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, system: { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' },
    'max-tokens': { type: 'string' }, seed: { type: 'string' }, message: { type: 'string', multiple: true },
  });
  const loaded = await loadModelFromFlags(values);
  const tokenizer = requireTokenizer(loaded);
  const messages: ChatMessage[] = values.system ? [{ role: 'system', content: values.system }] : [];
  const settings = {
    temperature: numberOption(values.temperature, 'temperature', 0.7),
    topP: numberOption(values['top-p'], 'top-p', 0.9),
    maxTokens: numberOption(values['max-tokens'], 'max-tokens', 200),
    seed: numberOption(values.seed, 'seed', 0),
  };
  const answer = async (text: string) => {
    messages.push({ role: 'user', content: text });
    const prompt = renderChatPrompt(tokenizer, messages);
    const ids = tokenizer.encode(prompt.text, { addSpecialTokens: prompt.addSpecialTokens });
    const stream = generate(loaded.model, tokenizer, ids, { ...settings, stopStrings: prompt.stopStrings });
    process.stdout.write('assistant> ');
    for (;;) {
      const step = await stream.next();
      if (step.done) {
        messages.push({ role: 'assistant', content: step.value.text.trim() });
        process.stdout.write(`\n[${step.value.tokenIds.length} tokens, ${step.value.decodeTokensPerSecond.toFixed(0)} tokens/s]\n`);
        return;
      }
      process.stdout.write(step.value.text);
    }
  };
  try {
    if (values.message) {
      for (const m of values.message) {
        console.log(`you> ${m}`);
        await answer(m);
      }
      return 0;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      for (;;) {
        let line: string;
        try {
          line = (await rl.question('you> ')).trim();
        } catch {
          return 0; // Ctrl-D / closed input
        }
        if (line === '/exit') return 0;
        if (line === '/reset') {
          messages.splice(values.system ? 1 : 0);
          continue;
        }
        if (line !== '') await answer(line);
      }
    } finally {
      rl.close();
    }
  } finally {
    loaded.model.dispose();
  }
}
