/**
 * An OpenAI-compatible endpoint (the convention LM Studio and Ollama follow), so chat clients and scripts can use
 * any stored model (`model-3`) or checkpoint (`checkpoint-12`):
 *
 *   GET  /v1/models             {object: 'list', data: [{id, object: 'model', created, owned_by}]}
 *   POST /v1/chat/completions   {model, messages, temperature?, top_p?, max_tokens?, stream?, stop?, seed?}
 *        → a `chat.completion` with `usage`, or with stream: true a `text/event-stream` of `chat.completion.chunk`
 *          deltas ending with `data: [DONE]`.
 *
 * Generation runs in the job runner's utility worker (never on the server's event loop), queued behind other
 * generations; a client that disconnects cancels its generation. Errors use OpenAI's `{error: {message, type,
 * code}}` shape. Unknown request fields (frequency_penalty, user, …) are ignored.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SamplingSchema } from '../api/contract.ts';
import { getCheckpoint, getModel, listCheckpoints, listModels, listRuns, type Database } from '../store/index.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { ChatJobSpec, GenerationResult, ModelSource } from '../jobs/protocol.ts';
import { HttpError, readJsonBody, sendJson } from './http.ts';
import { fieldIssues } from './api-routes.ts';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(TextPart), z.null()]),
});

/** The accepted request of POST /v1/chat/completions. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  temperature: z.number().min(0).max(5).optional(),
  top_p: SamplingSchema.shape.topP.unwrap().optional(),
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  seed: z.number().int().min(0).optional(),
  n: z.literal(1).optional(),
});

/** Default new tokens when the request gives no max_tokens. */
export const DEFAULT_MAX_TOKENS = 256;

/** What the endpoint needs. */
export interface OpenAiContext {
  db: Database;
  runner: JobRunner;
}

/** The model id of a source: `model-3` or `checkpoint-12`. */
export function servedModelId(source: ModelSource): string {
  return 'checkpointId' in source ? `checkpoint-${source.checkpointId}` : `model-${source.modelId}`;
}

function sourceOf(db: Database, id: string): ModelSource {
  const m = /^(model|checkpoint)-([1-9]\d*)$/.exec(id);
  const n = m ? Number(m[2]) : 0;
  if (m?.[1] === 'model' && getModel(db, n)) return { modelId: n };
  if (m?.[1] === 'checkpoint' && getCheckpoint(db, n)) return { checkpointId: n };
  throw new HttpError(404, 'model_not_found', `the model "${id}" does not exist; GET /v1/models lists model-<id> and checkpoint-<id>`);
}

function listServedModels(db: Database) {
  const data = listModels(db).map((m) => ({ id: servedModelId({ modelId: m.id }), object: 'model' as const, created: Math.floor(m.createdAt), owned_by: 'trimllm' }));
  for (const run of listRuns(db)) {
    for (const c of listCheckpoints(db, run.id)) {
      data.push({ id: servedModelId({ checkpointId: c.id }), object: 'model', created: Math.floor(c.createdAt), owned_by: 'trimllm' });
    }
  }
  return { object: 'list' as const, data };
}

/** Sends an error in OpenAI's shape. */
export function sendOpenAiError(res: ServerResponse, e: HttpError): void {
  const type = e.status === 401 ? 'authentication_error' : e.status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, e.status, { error: { message: e.message, type, param: (e.extra.param as string | undefined) ?? null, code: e.name } });
}

const finishReason = (reason: string) => (reason === 'max_tokens' || reason === 'context_full' ? 'length' : 'stop');
const textOf = (c: z.output<typeof Message>['content']) => (c === null ? '' : typeof c === 'string' ? c : c.map((p) => p.text).join(''));

/**
 * Handles a /v1 request (the token has been checked already).
 * @throws HttpError (sent by the caller with sendOpenAiError)
 */
export async function handleOpenAi(req: IncomingMessage, res: ServerResponse, ctx: OpenAiContext, pathname: string, bodyLimit: number): Promise<void> {
  if (pathname === '/v1/models' && req.method === 'GET') return sendJson(res, 200, listServedModels(ctx.db));
  if (pathname !== '/v1/chat/completions') throw new HttpError(404, 'not_found', `no endpoint ${req.method} ${pathname}`);
  if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST /v1/chat/completions');
  const parsed = ChatCompletionRequestSchema.safeParse(await readJsonBody(req, bodyLimit));
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error);
    throw new HttpError(400, 'invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { param: issues[0]?.field ?? null });
  }
  const body = parsed.data;
  const source = sourceOf(ctx.db, body.model);
  const spec: ChatJobSpec = {
    kind: 'chat', source, seed: body.seed ?? randomInt(2 ** 31),
    messages: body.messages.map((m) => ({ role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content) })),
    sampling: {
      temperature: body.temperature ?? 1, topK: 0, topP: body.top_p ?? 1, repetitionPenalty: 1,
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    },
    ...(body.stop ? { stop: typeof body.stop === 'string' ? [body.stop] : body.stop } : {}),
  };
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = (r: GenerationResult) => ({ prompt_tokens: r.promptTokens, completion_tokens: r.tokens, total_tokens: r.promptTokens + r.tokens });
  const chunk = (delta: Record<string, string>, finish: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

  await new Promise<void>((done) => {
    let finished = false;
    const stream = body.stream === true;
    const jobId = ctx.runner.generate(spec, {
      onDelta: (text) => {
        if (stream && !res.writableEnded) res.write(chunk({ content: text }, null));
      },
      onFinished: (status, result, error) => {
        finished = true;
        done();
        if (res.writableEnded || res.destroyed) return;
        if (!result) {
          const e = new HttpError(500, error?.name ?? 'generation_failed', error?.message ?? `generation ${status}`);
          if (!stream) return sendOpenAiError(res, e);
          res.end(`data: ${JSON.stringify({ error: { message: e.message, type: 'server_error', code: e.name } })}\n\ndata: [DONE]\n\n`);
          return;
        }
        if (!stream) {
          sendJson(res, 200, {
            id, object: 'chat.completion', created, model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: finishReason(result.reason) }],
            usage: usage(result),
          });
          return;
        }
        const withUsage = body.stream_options?.include_usage ? { usage: usage(result) } : {};
        res.end(chunk({}, finishReason(result.reason), withUsage) + 'data: [DONE]\n\n');
      },
    });
    if (stream) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(chunk({ role: 'assistant', content: '' }, null));
    }
    res.on('close', () => {
      if (!finished) ctx.runner.cancel(jobId);
    });
  });
}
