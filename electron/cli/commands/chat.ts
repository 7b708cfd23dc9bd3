/** `trimllm chat`: a terminal chat with any model or checkpoint, answers streamed with tokens/s. */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ChatMessage } from '../../../engine/io/tokenizer.ts';
import { loadModelFromFlags, MODEL_OPTIONS, parse, requireTokenizer } from '../args.ts';
import { CliSamplingSchema, numericFlags } from '../validate.ts';
import { appendChatMessage, closeDatabase, createChat, listModels, type Database } from '../../store/index.ts';
import { openWorkspace } from '../../app/workspace.ts';
import { announcePhase } from '../../app/phase-announce.ts';
import { registerModel } from '../../app/import-model.ts';
import { generateReply, recordReply } from '../../app/chat-turns.ts';
import { stderrEvents } from './import-model.ts';

/** Help text of the command. */
export const help = `trimllm chat (--model M | --checkpoint ID) [--system S] [--temperature 0.7] [--top-p 0.9]
              [--max-tokens 200] [--seed 0] [--message TEXT]... [--save] [--data-dir DIR]
  Reads your messages from the terminal (/reset starts over, /exit or Ctrl-D quits) and streams the answers,
  using the model's chat template when its tokenizer has one. --message sends messages without a terminal.
  --save keeps the conversation as a chat in the workspace, as the app does: your message when you send it, the
  answer (with its statistics) in one write when it is complete; an answer cut short by a crash is not stored.`;

/** The workspace model row of --model PATH (registered on first use), for a saved chat. */
async function modelIdFor(db: Database, path: string, tokenizer: string | undefined): Promise<number> {
  const known = listModels(db).find((m) => m.source === resolve(path));
  return known ? known.id : registerModel(db, path, tokenizer ? { tokenizer } : {}, stderrEvents);
}

/** Opens the workspace and creates the chat that --save stores messages in. */
async function openSavedChat(values: { model?: string; checkpoint?: string; tokenizer?: string; 'data-dir'?: string }, title: string) {
  const db = openWorkspace(values['data-dir']);
  try {
    const source = values.checkpoint
      ? { checkpointId: Number(values.checkpoint) }
      : { modelId: await modelIdFor(db, values.model!, values.tokenizer) };
    const chatId = createChat(db, { title: title.slice(0, 60), ...source });
    console.error(`chat ${chatId} saved in the workspace`);
    return { db, chatId };
  } catch (e) {
    closeDatabase(db);
    throw e;
  }
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...MODEL_OPTIONS, system: { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' },
    'max-tokens': { type: 'string' }, seed: { type: 'string' }, message: { type: 'string', multiple: true },
    save: { type: 'boolean' },
  });
  const n = numericFlags(CliSamplingSchema, values, { temperature: 'temperature', 'top-p': 'topP', 'max-tokens': 'maxTokens', seed: 'seed' });
  const loaded = await loadModelFromFlags(values);
  const tokenizer = requireTokenizer(loaded);
  const messages: ChatMessage[] = values.system ? [{ role: 'system', content: values.system }] : [];
  const sampling = { temperature: n.temperature ?? 0.7, topK: 0, topP: n.topP ?? 0.9, repetitionPenalty: 1, maxTokens: n.maxTokens ?? 200 };
  const saved = values.save ? await openSavedChat(values, values.message?.[0] ?? 'Terminal chat') : null;
  if (saved && values.system) appendChatMessage(saved.db, saved.chatId, { role: 'system', content: values.system });
  const answer = async (text: string) => {
    messages.push({ role: 'user', content: text });
    if (saved) appendChatMessage(saved.db, saved.chatId, { role: 'user', content: text });
    announcePhase('generate', `message ${messages.length}`);
    process.stdout.write('assistant> ');
    const reply = await generateReply(loaded.model, tokenizer, messages, sampling, { seed: n.seed ?? 0, onDelta: (piece) => process.stdout.write(piece) });
    messages.push({ role: 'assistant', content: reply.text });
    if (saved) recordReply(saved.db, saved.chatId, reply);
    announcePhase('generate-done', `message ${messages.length}`);
    process.stdout.write(`\n[${reply.tokens} tokens, ${reply.decodeTokensPerSecond.toFixed(0)} tokens/s]\n`);
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
    if (saved) closeDatabase(saved.db);
  }
}
