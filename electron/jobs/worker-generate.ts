/**
 * Chat generation inside the utility worker: the next assistant message of a conversation, streamed as text
 * pieces (engine/model/generate.ts), with the model's chat template (or the plain User:/Assistant: format).
 * The last model used stays loaded, so a conversation does not reload weights for every message.
 */
import { selectBackend } from '../../engine/backend/select.ts';
import { generate } from '../../engine/model/generate.ts';
import { renderChatPrompt } from '../../engine/data/chat-prompt.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import type { ChatMessage, Tokenizer } from '../../engine/io/tokenizer.ts';
import { loadCheckpointModel, loadStoredModel } from '../app/checkpoint-model.ts';
import type { Database } from '../store/index.ts';
import type { ChatJobSpec, GenerationResult, ModelSource } from './protocol.ts';
import type { JobContext, JobOutcome } from './worker-context.ts';

let cached: { key: string; loaded: LoadedModel } | null = null;

function sourceKey(source: ModelSource): string {
  return 'checkpointId' in source ? `checkpoint-${source.checkpointId}` : `model-${source.modelId}`;
}

async function modelFor(db: Database, source: ModelSource): Promise<LoadedModel> {
  const key = sourceKey(source);
  if (cached?.key === key) return cached.loaded;
  releaseCachedModel();
  const loaded = 'checkpointId' in source ? await loadCheckpointModel(db, source.checkpointId) : await loadStoredModel(db, source.modelId);
  cached = { key, loaded };
  return loaded;
}

/** Disposes the cached model (at shutdown, or before loading another). */
export function releaseCachedModel(): void {
  cached?.loaded.model.dispose();
  cached = null;
}

/**
 * The prompt ids of the next reply. Old turns (after any system message) are left out, oldest first, until the
 * prompt leaves room for at least min(maxTokens, a quarter of the context) new tokens.
 * @throws Error when even the last message alone does not fit
 */
export function fitPrompt(tokenizer: Tokenizer, messages: ChatMessage[], maxSeqLen: number, maxTokens: number) {
  const room = Math.min(maxTokens, Math.floor(maxSeqLen / 4));
  const turns = [...messages];
  for (;;) {
    const prompt = renderChatPrompt(tokenizer, turns);
    const ids = tokenizer.encode(prompt.text, { addSpecialTokens: prompt.addSpecialTokens });
    if (ids.length + room <= maxSeqLen && ids.length > 0) return { ids, prompt };
    const first = turns.findIndex((m) => m.role !== 'system');
    if (first < 0 || turns.filter((m) => m.role !== 'system').length <= 1) {
      throw new Error(`the message is ${ids.length} tokens long; this model's context holds ${maxSeqLen} (shorten it)`);
    }
    turns.splice(first, 1);
  }
}

/**
 * Generates the reply, sending each piece of text through ctx.delta; the pieces add up to the result's text
 * (both without the whitespace that opens or closes a reply).
 * @returns completed (or cancelled when stopped), with the GenerationResult
 * @throws Error when the model cannot be loaded, has no tokenizer, or the prompt does not fit its context
 */
export async function runChatJob(ctx: JobContext, spec: ChatJobSpec): Promise<JobOutcome> {
  await selectBackend();
  const loaded = await modelFor(ctx.db(), spec.source);
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) throw new Error(`${sourceKey(spec.source)} has no tokenizer; re-import its model with a tokenizer`);
  const { ids, prompt } = fitPrompt(tokenizer, spec.messages, loaded.model.config.maxSeqLen, spec.sampling.maxTokens);
  const s = spec.sampling;
  const stream = generate(loaded.model, tokenizer, ids, {
    temperature: s.temperature, topK: s.topK, topP: s.topP, repetitionPenalty: s.repetitionPenalty,
    maxTokens: s.maxTokens, seed: spec.seed, stopStrings: [...prompt.stopStrings, ...(spec.stop ?? [])], signal: ctx.signal,
    trimWhitespace: true,
  });
  for (;;) {
    const step = await stream.next();
    if (step.done) {
      const stats = step.value;
      const result: GenerationResult = {
        text: stats.text, tokens: stats.tokenIds.length, promptTokens: ids.length, reason: stats.reason,
        decodeTokensPerSecond: stats.decodeTokensPerSecond, prefillTokensPerSecond: stats.prefillTokensPerSecond,
      };
      return { status: stats.reason === 'aborted' ? 'cancelled' : 'completed', result };
    }
    if (step.value.text !== '') ctx.delta(step.value.text);
  }
}
