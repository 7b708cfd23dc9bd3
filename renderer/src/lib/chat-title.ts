/** Default chat titles: what the chat talks to, readable in the chat list. */

/**
 * Title of a chat with a checkpoint: `Run 1 · drop 2: -attn0 (8/10 kept)` (run id, checkpoint label, kept
 * sub-layers of the keep mask).
 */
export function checkpointChatTitle(runId: number, checkpoint: { label: string; keepMask: readonly boolean[] }): string {
  const kept = checkpoint.keepMask.filter(Boolean).length;
  return `Run ${runId} · ${checkpoint.label} (${kept}/${checkpoint.keepMask.length} kept)`;
}

/** Title of a chat with a base model: its name. */
export function modelChatTitle(model: { name: string }): string {
  return model.name;
}
