/**
 * Entry of an engine worker thread (started by pool.ts): holds its own copy of the model on its own
 * single-threaded backend, built from the main thread's shared weights, and answers requests one at a time
 * (protocol.ts): a share of a calibration scan's examples, gradients of part of a training step, weight syncs.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, parseBackendName } from '../backend/select.ts';
import type { LlamaModel } from '../model/llama.ts';
import { namedWeights } from '../model/weights.ts';
import { microBatchGradients } from '../train/gradients.ts';
import type { GradsReply, GradsRequest, WorkerMessage, WorkerReply, WorkerRequest } from './protocol.ts';
import { replayTokenizer } from './recorded-tokenizer.ts';
import { scanShare } from './scan.ts';
import { timeMatMul } from './matmul.ts';
import { modelFromShared, readShared, type SharedWeights } from './shared-weights.ts';

let model: LlamaModel | null = null;
let shared: SharedWeights | null = null;

function needModel(): LlamaModel {
  if (!model) throw new Error('engine worker: no model (init was not sent)');
  return model;
}

async function grads(m: LlamaModel, req: GradsRequest): Promise<GradsReply> {
  m.keepMask = req.keep;
  const wanted = new Set(req.names);
  const params = namedWeights(m.weights)
    .filter((n) => wanted.has(n.hfName))
    .map((n) => ({ name: n.hfName, variable: n.variable, subLayer: n.subLayer }));
  const { loss, grads: g } = microBatchGradients(m, params, req.batch, req.stepTargetTokens);
  try {
    const out: GradsReply = { loss: (await loss.data())[0]!, grads: [] };
    for (const [name, t] of g) out.grads.push({ name, shape: t.shape.slice(), data: (await t.data()) as Float32Array });
    return out;
  } finally {
    tf.dispose([loss, ...g.values()]);
  }
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.type) {
    case 'init': {
      const name = parseBackendName(req.backend);
      await selectBackend(name);
      model?.dispose();
      shared = req.shared;
      model = modelFromShared(shared);
      return null;
    }
    case 'sync':
      if (!shared) throw new Error('engine worker: sync before init');
      readShared(needModel(), shared, req.names);
      return null;
    case 'scan':
      return scanShare(needModel(), replayTokenizer(req.encodings), req.keep, req.calibration);
    case 'grads':
      return grads(needModel(), req);
    case 'matmul':
      return timeMatMul(req.n, req.reps);
  }
}

const port = parentPort;
if (port) {
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: WorkerMessage) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      const transfer: ArrayBuffer[] = [];
      try {
        const result = await handle(msg);
        if (msg.type === 'grads') for (const g of (result as GradsReply).grads) transfer.push(g.data.buffer as ArrayBuffer);
        reply = { id: msg.id, ok: true, result };
      } catch (e) {
        reply = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      port.postMessage(reply, transfer);
    });
  });
}
