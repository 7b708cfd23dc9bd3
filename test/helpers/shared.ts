/**
 * Paths into ../shared (read-only oracle data, models and datasets; never copied into the repository) and a
 * cached loader of the stories260K reference model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selectBackend, type BackendName } from '../../engine/backend/select.ts';
import { loadModel, type LoadedModel } from '../../engine/io/load-model.ts';

/** Absolute path of a file under ../shared. */
export function sharedPath(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/${relative}`, import.meta.url));
}

/** Absolute path of a file in the repository. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** The workspace key of the tests' encrypted workspaces (a passphrase; not a secret). */
export const TEST_DB_KEY = 'trimllm test workspace key';
/** The environment that gives a spawned `trimllm` the tests' workspace key. */
export const TEST_KEY_ENV = { TRIMLLM_DB_KEY: TEST_DB_KEY } as const;

export const STORIES_BIN = sharedPath('models/stories260K/stories260K.bin');
export const STORIES_TOK = sharedPath('models/stories260K/tok512.bin');

/** One forward case of reference/stories260K.json. */
export interface ForwardCase {
  drops: [string, number][];
  last_logits: number[];
  argmax_per_position: number[];
  mean_nll_next_token: number;
  activation_frobenius: Record<string, number>;
}

/** The parsed reference/stories260K.json. */
export interface StoriesReference {
  config: Record<string, number | boolean>;
  tokenizer: { text: string; ids_with_bos: number[] }[];
  prompt_ids: number[];
  forward: Record<string, ForwardCase>;
  loglikelihood: {
    context_ids: number[];
    continuation_ids: number[];
    continuation_text: string;
    loglikelihood: number;
    is_greedy: boolean;
  }[];
  greedy_200_tokens_after_bos: string;
  greedy_120_tokens_after_bos_drop_attn2: string;
}

/** The stories260K oracle values. */
export const storiesReference: StoriesReference = JSON.parse(
  readFileSync(sharedPath('reference/stories260K.json'), 'utf8'),
) as StoriesReference;

/** Sub-layer names of a reference drop list, e.g. [['attn', 2]] → ['attn2']. */
export function dropNames(c: ForwardCase): string[] {
  return c.drops.map(([kind, layer]) => `${kind}${layer}`);
}

/** Selects a backend and loads stories260K with its tokenizer (the caller disposes the model). */
export async function loadStories(backend?: BackendName): Promise<LoadedModel> {
  await selectBackend(backend);
  return loadModel(STORIES_BIN, { tokenizer: STORIES_TOK });
}
