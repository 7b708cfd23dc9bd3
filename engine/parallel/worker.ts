/**
 * Entry of an engine worker thread (started by pool.ts): holds its own copy of the model on its own
 * single-threaded backend, built from the main thread's shared weights, and answers requests one at a time
 * (protocol.ts): a share of a calibration scan's or an evaluation's examples; gradients of part of a training step and its shard
 * of the shared optimizer update (shared-update.ts).
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, parseBackendName } from '../backend/select.ts';
import type { LlamaModel } from '../model/llama.ts';
import { namedWeights } from '../model/weights.ts';
import { microBatchGradients } from '../train/gradients.ts';
import type { GradsRequest, WorkerMessage, WorkerReply, WorkerRequest } from './protocol.ts';
import { replayTokenizer } from './recorded-tokenizer.ts';
import { scanShare, shareCounts } from './scan.ts';
import { timeMatMul } from './matmul.ts';
import { modelFromShared } from './shared-weights.ts';
import { adamwShard, loadShared, reduceShard, writeGradients } from './shared-update.ts';

let model: LlamaModel | null = null;

function needModel(): LlamaModel {
  if (!model) throw new Error('engine worker: no model (init was not sent)');
  return model;
}

/** Gradients of this worker's rows, into its shared gradient buffers; returns its loss share. */
async function grads(m: LlamaModel, req: GradsRequest): Promise<number> {
  m.keepMask = req.keep;
  const byName = new Map(namedWeights(m.weights).map((n) => [n.hfName, n]));
  const params = req.params.map((p) => {
    const n = byName.get(p.name);
    if (!n) throw new Error(`engine worker: the model has no weight "${p.name}"`);
    return { name: p.name, variable: n.variable, subLayer: n.subLayer };
  });
  const { loss, grads: g } = microBatchGradients(m, params, req.batch, req.stepTargetTokens);
  try {
    await writeGradients(req.params, req.part, g, req.accumulate);
    return (await loss.data())[0]!;
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
      model = modelFromShared(req.shared);
      return null;
    }
    case 'scan':
      return scanShare(needModel(), replayTokenizer(req.encodings), req.keep, req.calibration);
    case 'counts':
      return shareCounts(needModel(), replayTokenizer(req.encodings), req.data, req.keep);
    case 'grads':
      return grads(needModel(), req);
    case 'reduce':
      return reduceShard(req.params, req.part, req.parts);
    case 'update':
      adamwShard(req.params, req.part, req.parts, req.step);
      return null;
    case 'load':
      loadShared(req.params, new Map(namedWeights(needModel().weights).map((n) => [n.hfName, n.variable])));
      return null;
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
      try {
        reply = { id: msg.id, ok: true, result: await handle(msg) };
      } catch (e) {
        reply = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      port.postMessage(reply);
    });
  });
}
