/**
 * Use case "evaluate models on datasets" (issue 18; paper appendix A.2–A.3: what specialization costs outside its
 * domain): a set of models (base models, TrimLLM checkpoints, baseline checkpoints) × a set of stored datasets ×
 * one split, with an optional record limit, scored with the run's evaluator (multiple choice / yes-no: acc and
 * acc_norm, lm-evaluation-harness conventions; instruction, chat, text: next-token accuracy).
 *
 * Every cell is stored in one transaction when it is done (store/evaluation-cells.ts), and a cell already stored
 * with the same key (model × dataset × split × template × record limit) is reused, not recomputed. So a job that
 * was killed resumes by running the same request again: finished cells are reused, the cell that was being scored
 * when it died left nothing behind, and the finished matrix equals an uninterrupted one.
 */
import { DEFAULT_TEMPLATES, resolveTemplates, type NormalisedRecord, type PromptTemplates, type TaskType } from '../../engine/data/index.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { prepareEvaluable } from '../../engine/trim/prepare.ts';
import { evaluateMultipleChoice } from '../../engine/eval/multiple-choice.ts';
import { evaluateTextTokens } from '../../engine/eval/text-tokens.ts';
import { chanceAccuracy } from '../../engine/eval/chance.ts';
import {
  findCell, getCheckpoint, getDataset, getModel, getRun, listRecords, storeCell, type CellKey, type CellRow, type Database,
  type DatasetRow, type Split,
} from '../store/index.ts';
import { loadCheckpointModel, loadStoredModel } from './checkpoint-model.ts';

/** A model to evaluate: a stored base model, or a checkpoint (TrimLLM or baseline) of a run. */
export type EvalModelRef = { modelId: number } | { checkpointId: number };

/** What to evaluate. */
export interface EvaluationRequest {
  models: EvalModelRef[];
  datasetIds: number[];
  /** Split of each dataset to score (default 'test'). */
  split?: Split;
  /** At most this many records per dataset (a seeded sample, seed 0), or absent for the whole split. */
  maxRecords?: number;
  /** Prompt-template overrides (validated by resolveTemplates), or absent for the defaults. */
  templates?: Record<string, string>;
}

/** One cell of the plan, with the display names of its row and column. */
export interface PlannedCell {
  key: CellKey;
  /** Row label, e.g. `base stories260K` or `checkpoint 7 (run 2, drop 1: -attn3)`. */
  modelLabel: string;
  datasetName: string;
  taskType: TaskType;
  /** The stored result when this cell was already evaluated. */
  stored?: CellRow;
}

/**
 * Chance accuracy of a stored dataset's split (multiple choice and yes/no: mean of 1 / choices over its records);
 * null for instruction, chat and text data, whose next-token accuracy has no chance level.
 */
export function datasetChance(db: Database, datasetId: number, split: Split): number | null {
  const d = getDataset(db, datasetId);
  if (!d || (d.taskType !== 'mcq' && d.taskType !== 'yesno')) return null;
  return chanceAccuracy(listRecords(db, datasetId, split).map((r) => (r.payload as { choices: unknown[] }).choices.length));
}

/** Progress of a job: cells done of total, and the items of the cell being scored. */
export interface EvaluationProgress {
  cellsDone: number;
  cellsTotal: number;
  /** The cell the event is about. */
  cell: PlannedCell;
  /** 'reused' (already stored), 'scoring' (items done/total), 'stored' (just computed and written). */
  phase: 'reused' | 'scoring' | 'stored';
  itemsDone: number;
  itemsTotal: number;
  /** The cell's result, for 'reused' and 'stored'. */
  result?: CellRow;
}

/** How a job ended: every cell of the plan (stored ones carry their result), and what was reused. */
export interface EvaluationOutcome {
  status: 'completed' | 'cancelled';
  cells: PlannedCell[];
  reused: number;
  computed: number;
}

/** Template fields each task type reads (the rest do not change its scores, so they are not part of the key). */
const TEMPLATE_FIELDS: Record<TaskType, readonly (keyof PromptTemplates)[]> = {
  mcq: ['mcq', 'targetDelimiter'],
  yesno: ['yesno', 'yesnoWithContext', 'targetDelimiter'],
  instruction: ['instruction', 'instructionWithInput', 'targetDelimiter'],
  chat: ['chatSystem', 'chatUser', 'chatAssistant', 'targetDelimiter'],
  text: [],
};

/** The cell-key text of the templates a task type uses (JSON of those fields, in a fixed order). */
export function templateKey(taskType: TaskType, templates: PromptTemplates = DEFAULT_TEMPLATES): string {
  return JSON.stringify(Object.fromEntries(TEMPLATE_FIELDS[taskType].map((f) => [f, templates[f]])));
}

/**
 * Checks the request against the workspace and lists its cells (models as rows, datasets as columns), each with
 * its stored result when there is one.
 * @throws Error naming the model, checkpoint or dataset that does not exist, an empty selection, or a bad limit
 */
export function planEvaluation(db: Database, request: EvaluationRequest): PlannedCell[] {
  if (request.models.length === 0) throw new Error('choose at least one model or checkpoint to evaluate');
  if (request.datasetIds.length === 0) throw new Error('choose at least one dataset to evaluate on');
  const limit = request.maxRecords ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw new Error(`the record limit must be a positive whole number, got ${limit}`);
  const split = request.split ?? 'test';
  const templates = resolveTemplates(request.templates ?? {});
  const datasets: DatasetRow[] = [...new Set(request.datasetIds)].map((id) => {
    const d = getDataset(db, id);
    if (!d) throw new Error(`no dataset ${id} in the workspace (see \`trimllm import-data\`)`);
    if (d.counts[split] === 0) throw new Error(`dataset ${id} (${d.name}) has no ${split} records; choose another split`);
    return d;
  });
  const cells: PlannedCell[] = [];
  const seen = new Set<string>();
  for (const ref of request.models) {
    const { modelId, checkpointId, label } = describeModel(db, ref);
    if (seen.has(`${modelId}/${checkpointId}`)) continue; // the same model asked twice is one row
    seen.add(`${modelId}/${checkpointId}`);
    for (const d of datasets) {
      const key: CellKey = { modelId, checkpointId, datasetId: d.id, split, template: templateKey(d.taskType, templates), recordLimit: limit };
      const stored = findCell(db, key);
      cells.push({ key, modelLabel: label, datasetName: d.name, taskType: d.taskType, ...(stored ? { stored } : {}) });
    }
  }
  return cells;
}

function describeModel(db: Database, ref: EvalModelRef): { modelId: number; checkpointId: number | null; label: string } {
  if ('checkpointId' in ref) {
    const cp = getCheckpoint(db, ref.checkpointId);
    if (!cp) throw new Error(`no checkpoint ${ref.checkpointId} in the workspace (see \`trimllm runs\`)`);
    const run = getRun(db, cp.runId)!;
    return { modelId: run.modelId, checkpointId: cp.id, label: `checkpoint ${cp.id} (run ${cp.runId}, ${cp.label})` };
  }
  const m = getModel(db, ref.modelId);
  if (!m) throw new Error(`no model ${ref.modelId} in the workspace (see \`trimllm runs\`)`);
  return { modelId: m.id, checkpointId: null, label: `base ${m.name}` };
}

/** Options of runEvaluationJob. */
export interface EvaluationJobOptions {
  /** tfjs backend in use (selected by the caller), stored with each cell. */
  backend: string;
  /** Checked between cells and batches; an aborted job keeps the cells it finished. */
  signal?: AbortSignal;
  onProgress?: (p: EvaluationProgress) => void;
}

/**
 * Runs (or resumes) an evaluation job: scores every cell of the plan that is not stored yet and stores each one
 * in its own transaction. Models are loaded once, only when one of their cells needs scoring.
 * @returns the plan with every finished cell's result; status 'cancelled' when the signal stopped it
 * @throws the errors of planEvaluation; model-loading and evaluator errors (cells finished before stay stored)
 */
export async function runEvaluationJob(db: Database, request: EvaluationRequest, options: EvaluationJobOptions): Promise<EvaluationOutcome> {
  const cells = planEvaluation(db, request);
  const templates = resolveTemplates(request.templates ?? {});
  const total = cells.length;
  let done = 0;
  let reused = 0;
  let computed = 0;
  const emit = (p: Omit<EvaluationProgress, 'cellsDone' | 'cellsTotal'>) => options.onProgress?.({ cellsDone: done, cellsTotal: total, ...p });
  for (const cell of cells.filter((c) => c.stored)) {
    done++;
    reused++;
    emit({ cell, phase: 'reused', itemsDone: 0, itemsTotal: 0, result: cell.stored! });
  }
  const byModel = new Map<string, PlannedCell[]>();
  for (const c of cells.filter((x) => !x.stored)) {
    const k = `${c.key.modelId}/${c.key.checkpointId ?? ''}`;
    byModel.set(k, [...(byModel.get(k) ?? []), c]);
  }
  for (const group of byModel.values()) {
    if (options.signal?.aborted) break;
    const first = group[0]!.key;
    const loaded = first.checkpointId !== null ? await loadCheckpointModel(db, first.checkpointId) : await loadStoredModel(db, first.modelId);
    try {
      for (const cell of group) {
        if (options.signal?.aborted) break;
        // Another job may have stored it since the plan was made.
        const already = findCell(db, cell.key);
        if (!already) emit({ cell, phase: 'scoring', itemsDone: 0, itemsTotal: 0 });
        const result = already ?? (await scoreCell(db, loaded, cell, templates, options, (d, t) => emit({ cell, phase: 'scoring', itemsDone: d, itemsTotal: t })));
        if (result === undefined) break; // aborted mid-cell: nothing of it is stored
        cell.stored = result;
        done++;
        if (already) reused++;
        else computed++;
        emit({ cell, phase: already ? 'reused' : 'stored', itemsDone: result.recordCount, itemsTotal: result.recordCount, result });
      }
    } finally {
      loaded.model.dispose();
    }
  }
  return { status: done < total ? 'cancelled' : 'completed', cells, reused, computed };
}

/** Scores one cell and stores it; undefined when the signal aborted it (nothing stored). */
async function scoreCell(
  db: Database, loaded: LoadedModel, cell: PlannedCell, templates: PromptTemplates, options: EvaluationJobOptions,
  onItems: (done: number, total: number) => void,
): Promise<CellRow | undefined> {
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) throw new Error(`${cell.modelLabel} has no tokenizer; re-import its model with a tokenizer`);
  const records = listRecords(db, cell.key.datasetId, cell.key.split).map((r) => r.payload as NormalisedRecord);
  const evaluable = prepareEvaluable(tokenizer, cell.taskType, records, {
    maxSeqLen: loaded.model.config.maxSeqLen, ...(cell.key.recordLimit !== null ? { maxEval: cell.key.recordLimit } : {}), seed: 0, templates,
  });
  const started = performance.now();
  const common = { onProgress: onItems, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    if (evaluable.kind === 'choice') {
      const r = await evaluateMultipleChoice(loaded.model, tokenizer, evaluable.items, { ...common, targetDelimiter: templates.targetDelimiter });
      return storeCell(db, {
        ...cell.key, metric: 'acc', value: r.acc, stderr: r.accStderr, recordCount: r.n, truncated: r.truncated,
        backend: options.backend, seconds: (performance.now() - started) / 1000,
        metrics: { acc: r.acc, acc_stderr: r.accStderr, acc_norm: r.accNorm, acc_norm_stderr: r.accNormStderr },
      });
    }
    if (evaluable.examples.length === 0) throw new Error(`dataset ${cell.key.datasetId} (${cell.datasetName}) has no usable ${cell.key.split} examples`);
    const r = await evaluateTextTokens(loaded.model, evaluable.examples, common);
    return storeCell(db, {
      ...cell.key, metric: 'next_token_acc', value: r.accuracy, stderr: null, recordCount: r.examples, truncated: 0,
      backend: options.backend, seconds: (performance.now() - started) / 1000,
      metrics: { next_token_acc: r.accuracy, perplexity: r.perplexity, tokens: r.tokens },
    });
  } catch (e) {
    if (options.signal?.aborted) return undefined;
    throw e;
  }
}
