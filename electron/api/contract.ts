/**
 * The one typed API between the UI and the core (DESIGN.md §3), the same whether it is carried by Electron IPC
 * (preload → ipcMain) or by the local server (HTTP POST /api/<method> + WebSocket events). Every request,
 * response and event has a zod schema; both ends validate what they receive. Method and event names are the
 * allow-list of the preload and the server.
 *
 * Runtime-neutral: imports only zod (the renderer, the main process and the server all use this file).
 */
import { z } from 'zod';
import { ApiRunSettingsSchema } from './run-settings.ts';

const id = z.number().int().positive();
const keepMask = z.array(z.boolean()).min(2);
const taskType = z.enum(['mcq', 'yesno', 'instruction', 'chat', 'text']);

/** Sampling settings of a chat. */
export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(5).default(0.7),
  topK: z.number().int().min(0).default(0),
  topP: z.number().min(0).max(1).default(0.9), // 0 = the most likely token only (engine/model/sampling.ts)
  repetitionPenalty: z.number().positive().default(1),
  maxTokens: z.number().int().min(1).max(4096).default(200),
});

const ModelSummary = z.object({ id, name: z.string(), source: z.string(), format: z.string(), architecture: z.string().nullable(), paramBytes: z.number().nullable(), nLayers: z.number().int() });
const DatasetSummary = z.object({
  id, name: z.string(), source: z.string(), taskType, counts: z.record(z.string(), z.number()),
  /** The runs trained on it (datasets.list only): deleting it needs deleting them too. */
  usedByRuns: z.array(id).optional(),
});
/** One entry of a folder listing (files.browse). */
const FolderEntry = z.object({ name: z.string(), path: z.string(), kind: z.enum(['folder', 'file']), bytes: z.number().nullable() });
const CheckpointSummary = z.object({ id, label: z.string(), step: z.number().int(), epoch: z.number().int(), keepMask, metrics: z.unknown(), paramBytes: z.number() });
const RunSummary = z.object({
  id, modelId: id, datasetId: id, status: z.enum(['queued', 'running', 'interrupted', 'completed', 'failed', 'cancelled']),
  backend: z.string().nullable(), createdAt: z.number(), error: z.string().nullable(), config: z.unknown(),
});
const DownloadSummary = z.object({
  id, repo: z.string(), revision: z.string(), destDir: z.string(),
  status: z.enum(['running', 'interrupted', 'completed', 'failed', 'cancelled']), modelId: z.number().nullable(), error: z.string().nullable(),
  files: z.array(z.object({ file: z.string(), bytes: z.number(), total: z.number().nullable(), done: z.boolean() })), createdAt: z.number(),
});
/** A measured model of a run's comparison: the report entry (name, kind, keptFraction, performance, bytes, tokens/s). */
const ComparisonEntry = z.object({ checkpointId: z.number().nullable(), entry: z.unknown() });
/** A model of an evaluation: a stored base model, or a checkpoint (TrimLLM or baseline) of a run. */
const EvalModel = z.union([z.strictObject({ modelId: id }), z.strictObject({ checkpointId: id })]);
/** One cell of an evaluation matrix (model × dataset), with its result once evaluated. */
export const EvaluationCellSchema = z.object({
  modelId: id, checkpointId: z.number().nullable(), datasetId: id, split: z.enum(['train', 'validation', 'test']),
  modelLabel: z.string(), datasetName: z.string(), taskType,
  /** Accuracy of a uniform random guess on this dataset (null for next-token metrics). */
  chance: z.number().nullable(),
  result: z.object({
    metric: z.string(), value: z.number(), stderr: z.number().nullable(), recordCount: z.number().int(), truncated: z.number().int(),
    metrics: z.record(z.string(), z.number().nullable()), backend: z.string(), seconds: z.number(),
  }).nullable(),
});
const ChatMessage = z.object({ id, role: z.enum(['system', 'user', 'assistant']), content: z.string(), stats: z.unknown().nullable() });

/** Request and response schemas of every method. */
export const METHODS = {
  'system.doctor': { request: z.strictObject({}), response: z.object({ backend: z.string(), skipped: z.record(z.string(), z.string()), versions: z.record(z.string(), z.string()), threads: z.number(), dataDir: z.string() }) },
  'models.list': { request: z.strictObject({}), response: z.array(ModelSummary) },
  'models.import': { request: z.strictObject({ path: z.string().min(1), tokenizer: z.string().min(1).optional(), name: z.string().optional() }), response: ModelSummary },
  'models.inspect': { request: z.strictObject({ id }), response: z.object({ config: z.record(z.string(), z.unknown()), subLayers: z.array(z.object({ name: z.string(), parameters: z.number(), bytes: z.number() })), sharedBytes: z.number(), totalBytes: z.number() }) },
  'models.delete': { request: z.strictObject({ id }), response: z.object({ ok: z.boolean() }) },
  'hub.download': {
    request: z.strictObject({ repo: z.string().min(1).max(200), files: z.array(z.string().min(1).max(500)).min(1).max(32), revision: z.string().min(1).max(200).default('main') }),
    response: z.object({ downloadId: id, jobId: z.string() }),
  },
  'hub.downloads': { request: z.strictObject({}), response: z.array(DownloadSummary.extend({ active: z.boolean() })) },
  'hub.cancel': { request: z.strictObject({ id }), response: z.object({ ok: z.boolean() }) },
  'hub.resume': { request: z.strictObject({ id }), response: z.object({ downloadId: id, jobId: z.string() }) },
  'datasets.list': { request: z.strictObject({}), response: z.array(DatasetSummary) },
  /** With `withRuns`, the runs trained on the dataset are deleted first (otherwise such a dataset is refused). */
  'datasets.delete': { request: z.strictObject({ id, withRuns: z.boolean().optional() }), response: z.object({ ok: z.boolean() }) },
  'datasets.rename': { request: z.strictObject({ id, name: z.string().trim().min(1, 'Give the dataset a name').max(200, 'Use at most 200 characters') }), response: z.object({ ok: z.boolean() }) },
  /**
   * A folder's listing for the browser's file picker, limited to the user's home and the data directory (roots);
   * no path: the roots. Paths outside them, or reached through a link that leaves them, are refused.
   */
  'files.browse': {
    request: z.strictObject({ path: z.string().max(4096).optional() }),
    response: z.object({ path: z.string().nullable(), parent: z.string().nullable(), roots: z.array(z.object({ label: z.string(), path: z.string() })), entries: z.array(FolderEntry) }),
  },
  /** The desktop app's native open dialog (path: null when cancelled); server mode answers that it has none. */
  'files.choose': { request: z.strictObject({ kind: z.enum(['file', 'folder']) }), response: z.object({ path: z.string().nullable() }) },
  /** The models /v1 serves, with the names the app shows for them and their context length in tokens. */
  'server.models': { request: z.strictObject({}), response: z.array(z.object({ id: z.string(), name: z.string(), contextTokens: z.number().int().nullable() })) },
  'datasets.preview': {
    request: z.strictObject({ path: z.string().min(1), task: taskType.optional(), map: z.string().optional() }),
    response: z.object({ taskType, mapping: z.unknown(), notes: z.array(z.string()), total: z.number(), counts: z.record(z.string(), z.number()), sample: z.array(z.unknown()), skipped: z.array(z.object({ file: z.string(), line: z.number().optional(), row: z.number(), field: z.string(), reason: z.string() })) }),
  },
  'datasets.import': { request: z.strictObject({ path: z.string().min(1), task: taskType.optional(), map: z.string().optional(), name: z.string().optional() }), response: DatasetSummary },
  'runs.list': { request: z.strictObject({}), response: z.array(RunSummary) },
  'runs.get': {
    request: z.strictObject({ id }),
    response: z.object({
      run: RunSummary, checkpoints: z.array(CheckpointSummary),
      events: z.array(z.object({ step: z.number(), epoch: z.number(), loss: z.number().nullable(), lr: z.number().nullable(), tokensPerSecond: z.number().nullable() })),
      /** `chosen`: the sub-layer the engine's drop rule (chooseDrop) picked from this scan. */
      scans: z.array(z.object({ scan: z.number(), step: z.number(), scores: z.array(z.object({ subLayer: z.string(), calibrationPerformance: z.number().nullable(), importance: z.number().nullable(), activationNorm: z.number().nullable(), chosen: z.boolean().optional() })) })),
      nLayers: z.number().int(),
      /** Every model measured side by side at the end (base, baselines, TrimLLM checkpoints); empty before. */
      comparison: z.array(ComparisonEntry),
      /** The run's report folder and the files in it (empty until the run completes). */
      report: z.object({ dir: z.string().nullable(), files: z.array(z.string()) }),
    }),
  },
  'runs.report': { request: z.strictObject({ id, file: z.enum(['report.md', 'report.json', 'loss.svg', 'layer-map.svg', 'frontier.svg']) }), response: z.object({ file: z.string(), path: z.string(), content: z.string() }) },
  'runs.delete': { request: z.strictObject({ id }), response: z.object({ ok: z.boolean() }) },
  'runs.start': { request: z.strictObject({ modelId: id, datasetId: id, settings: ApiRunSettingsSchema }), response: z.object({ runId: id, jobId: z.string() }) },
  /**
   * The estimate before a run (`trimllm plan`): measures the run's units on this machine with these settings (a
   * few seconds, in the utility worker), then predicts the whole run's wall time (seconds ± one spread, by phase)
   * and checks that its largest training step fits the backend's memory. `summary` and `details` say it in plain
   * words; a run started next with the same settings keeps this prediction for its report.
   */
  'runs.estimate': {
    request: z.strictObject({ modelId: id, datasetId: id, settings: ApiRunSettingsSchema }),
    response: z.object({
      seconds: z.number(), uncertainty: z.number(), dominant: z.string(),
      phases: z.array(z.object({ name: z.string(), seconds: z.number(), uncertainty: z.number() })),
      fits: z.boolean(), memoryMessage: z.string().nullable(), summary: z.string(), details: z.array(z.string()), measuredSeconds: z.number(),
    }),
  },
  'runs.resume': { request: z.strictObject({ id }), response: z.object({ runId: id, jobId: z.string() }) },
  'runs.cancel': { request: z.strictObject({ id }), response: z.object({ ok: z.boolean() }) },
  'checkpoints.export': {
    request: z.strictObject({
      id, format: z.enum(['hf', 'gguf']), dtype: z.enum(['F32', 'BF16', 'F16', 'Q8_0', 'Q4_0']).default('F32'),
      destination: z.string().min(1).max(4096), name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
    }),
    response: z.object({ path: z.string(), bytes: z.number(), modelfile: z.string().nullable(), ollamaCommand: z.string().nullable(), lmStudioFolder: z.string().nullable(), notes: z.array(z.string()) }),
  },
  'chats.list': { request: z.strictObject({}), response: z.array(z.object({ id, title: z.string(), checkpointId: z.number().nullable(), modelId: z.number().nullable(), updatedAt: z.number() })) },
  'chats.create': { request: z.strictObject({ title: z.string().optional(), modelId: id.optional(), checkpointId: id.optional(), sampling: SamplingSchema.optional() }), response: z.object({ id }) },
  'chats.messages': { request: z.strictObject({ chatId: id }), response: z.array(ChatMessage) },
  'chats.send': { request: z.strictObject({ chatId: id, content: z.string().min(1).max(100_000), sampling: SamplingSchema.optional() }), response: z.object({ jobId: z.string(), userMessageId: id }) },
  'chats.regenerate': { request: z.strictObject({ chatId: id, sampling: SamplingSchema.optional() }), response: z.object({ jobId: z.string() }) },
  'chats.editMessage': {
    request: z.strictObject({ chatId: id, messageId: id, content: z.string().min(1).max(100_000), sampling: SamplingSchema.optional() }),
    response: z.object({ jobId: z.string(), removed: z.number().int() }),
  },
  'chats.delete': { request: z.strictObject({ chatId: id }), response: z.object({ ok: z.boolean() }) },
  'chats.stop': { request: z.strictObject({ jobId: z.string() }), response: z.object({ ok: z.boolean() }) },
  'evaluations.start': {
    request: z.strictObject({
      models: z.array(EvalModel).min(1).max(64), datasetIds: z.array(id).min(1).max(64),
      split: z.enum(['train', 'validation', 'test']).default('test'), maxRecords: z.number().int().min(1).max(100_000).optional(),
    }),
    response: z.object({ jobId: z.string(), cells: z.array(EvaluationCellSchema) }),
  },
  'evaluations.list': { request: z.strictObject({ runId: id }), response: z.array(EvaluationCellSchema) },
  'evaluations.cancel': { request: z.strictObject({ jobId: z.string() }), response: z.object({ ok: z.boolean() }) },
  'settings.get': { request: z.strictObject({}), response: z.object({ backend: z.string(), threads: z.number().int(), dataDir: z.string(), hubEndpoint: z.string(), encrypted: z.boolean() }) },
  'settings.set': { request: z.strictObject({ backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).optional(), threads: z.number().int().min(1).max(256).optional(), hubEndpoint: z.string().url().optional() }), response: z.object({ ok: z.boolean() }) },
  'store.vacuum': { request: z.strictObject({}), response: z.object({ bytesBefore: z.number(), bytesAfter: z.number() }) },
  'store.backup': { request: z.strictObject({}), response: z.object({ path: z.string(), bytes: z.number() }) },
} as const;

/** Payload schemas of every event pushed to the UI. */
export const EVENTS = {
  'job.progress': z.object({ jobId: z.string(), runId: id.optional(), phase: z.string(), epoch: z.number(), done: z.number(), total: z.number(), loss: z.number().optional(), etaSeconds: z.number().nullable(), message: z.string().optional() }),
  'job.finished': z.object({ jobId: z.string(), runId: id.optional(), status: z.enum(['completed', 'failed', 'cancelled', 'interrupted']), error: z.string().optional() }),
  'run.checkpoint': z.object({ runId: id, checkpointId: id, label: z.string(), keepMask, performance: z.number().nullable() }),
  'run.scan': z.object({ runId: id, epoch: z.number(), chosen: z.string().nullable().optional(), scores: z.array(z.object({ subLayer: z.string(), calibrationPerformance: z.number(), importance: z.number(), activationNorm: z.number() })) }),
  'download.progress': z.object({ downloadId: id, jobId: z.string(), file: z.string(), fileIndex: z.number().int(), files: z.number().int(), bytes: z.number(), total: z.number().nullable(), bytesPerSecond: z.number(), etaSeconds: z.number().nullable() }),
  'download.finished': z.object({ downloadId: id, jobId: z.string(), status: z.enum(['completed', 'failed', 'cancelled']), modelId: z.number().nullable(), error: z.string().optional() }),
  'evaluation.cell': z.object({ jobId: z.string(), cellsDone: z.number().int(), cellsTotal: z.number().int(), cell: EvaluationCellSchema }),
  'export.progress': z.object({ checkpointId: id, fraction: z.number().min(0).max(1) }),
  'chat.delta': z.object({ jobId: z.string(), chatId: id, text: z.string() }),
  'chat.done': z.object({ jobId: z.string(), chatId: id, messageId: id.nullable(), reason: z.string(), tokens: z.number(), decodeTokensPerSecond: z.number() }),
} as const;

/** A method name. */
export type Method = keyof typeof METHODS;
/** An event name. */
export type EventName = keyof typeof EVENTS;
/** Request type of a method (after defaults). */
export type Request<M extends Method> = z.input<(typeof METHODS)[M]['request']>;
/** Response type of a method. */
export type Response<M extends Method> = z.output<(typeof METHODS)[M]['response']>;
/** Payload type of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;

/** Every method name (the allow-list of the preload and the server). */
export const METHOD_NAMES = Object.keys(METHODS) as Method[];
/** Every event name. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** An error that crosses the API boundary as name + message (STYLE.md "Electron"). */
export interface ApiError {
  name: string;
  message: string;
}

/** True when `name` is a method of the contract. */
export function isMethod(name: string): name is Method {
  return Object.hasOwn(METHODS, name);
}

/**
 * Validates a request payload.
 * @throws z.ZodError listing each invalid field when the payload does not match the method's schema
 */
export function parseRequest<M extends Method>(method: M, payload: unknown): z.output<(typeof METHODS)[M]['request']> {
  return METHODS[method].request.parse(payload) as z.output<(typeof METHODS)[M]['request']>;
}

/** The API as a typed client: the renderer gets one, over IPC or HTTP. */
export interface TrimllmApi {
  call<M extends Method>(method: M, request: Request<M>): Promise<Response<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
