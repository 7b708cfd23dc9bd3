/**
 * Chat generation inside the utility worker: the next assistant message of a conversation (app/chat-turns.ts),
 * streamed to the runner as text pieces.
 * The last model used stays loaded, so a conversation does not reload weights for every message.
 */
import { selectBackend } from '../../engine/backend/select.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { generateReply } from '../app/chat-turns.ts';
import { loadCheckpointModel, loadStoredModel } from '../app/checkpoint-model.ts';
import type { Database } from '../store/index.ts';
import type { ChatJobSpec, ModelSource } from './protocol.ts';
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
  const result = await generateReply(loaded.model, tokenizer, spec.messages, spec.sampling, {
    seed: spec.seed, ...(spec.stop ? { stop: spec.stop } : {}), signal: ctx.signal, onDelta: (text) => ctx.delta(text),
  });
  return { status: result.reason === 'aborted' ? 'cancelled' : 'completed', result };
}
