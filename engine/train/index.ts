/**
 * Fine-tuning (DESIGN.md §3 `train/`): response-masked causal-LM loss, AdamW, warm-up + cosine schedule,
 * gradient accumulation, global-norm clipping and the sparse-update trainable mask.
 */
export * from './example.ts';
export * from './rng.ts';
export * from './batch.ts';
export * from './plan.ts';
export * from './loss.ts';
export * from './adamw.ts';
export * from './schedule.ts';
export * from './clip.ts';
export * from './params.ts';
export * from './trainer.ts';
export * from './epoch.ts';
