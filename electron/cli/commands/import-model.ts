/**
 * `trimllm import-model PATH`: register a model (llama2.c .bin, a folder holding one, or a Hugging Face folder)
 * in the workspace.
 */
import { resolve } from 'node:path';
import { selectBackend } from '../../../engine/backend/select.ts';
import { closeDatabase } from '../../store/index.ts';
import { registerModel } from '../../app/import-model.ts';
import { openWorkspace } from '../../app/workspace.ts';
import { parse, UsageError } from '../args.ts';

/** Help text of the command. */
export const help = `trimllm import-model PATH [--tokenizer T] [--name NAME] [--data-dir DIR]
  Validates the model (loads it once), computes its sha256 and records it in the workspace database.`;

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    tokenizer: { type: 'string' }, name: { type: 'string' }, 'data-dir': { type: 'string' },
  });
  const path = positionals[0];
  if (!path) throw new UsageError('missing PATH of the model');
  await selectBackend();
  const db = openWorkspace(values['data-dir']);
  try {
    const id = await registerModel(db, path, { ...(values.tokenizer ? { tokenizer: values.tokenizer } : {}), ...(values.name ? { name: values.name } : {}) }, stderrEvents);
    console.log(`model ${id}: ${resolve(path)}`);
    return 0;
  } finally {
    closeDatabase(db);
  }
}

/** Use-case messages printed on stderr, one a line. */
export const stderrEvents = { onMessage: (text: string) => console.error(text) };
