/**
 * The stories260K oracle checks (../shared/reference/stories260K.json, float64 numpy), run once per backend by
 * the model-reference-*.test.ts files. Tolerances are the issue's: logits 1e-4 max abs, argmax exact,
 * activation norms 1e-4 relative, loglikelihood 1e-4.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../engine/backend/select.ts';
import type { LoadedModel } from '../../engine/io/load-model.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import { scoreContinuation } from '../../engine/eval/loglikelihood.ts';
import { dropNames, loadStories, storiesReference as ref } from './shared.ts';

/**
 * Registers the reference tests for one backend.
 * @param skip a reason to skip them all (e.g. no WebGPU adapter on this machine), or undefined to run them
 */
export function referenceSuite(backend: BackendName, skip?: string): void {
  describe(`stories260K reference on ${backend}`, { skip }, () => {
    let loaded: LoadedModel;
    before(async () => {
      loaded = await loadStories(backend);
      assert.equal(tf.getBackend(), backend);
    });
    after(() => loaded.model.dispose());

    test('config matches', () => {
      const c = loaded.model.config;
      assert.deepEqual(
        [c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.vocabSize, c.maxSeqLen, c.headDim, c.tiedEmbeddings],
        [ref.config.dim, ref.config.hidden, ref.config.n_layers, ref.config.n_heads, ref.config.n_kv,
          ref.config.vocab, ref.config.seq_len, ref.config.head_size, ref.config.shared],
      );
    });

    test('tokenizer ids exactly, and decode round-trips', () => {
      for (const t of ref.tokenizer) {
        const ids = loaded.tokenizer!.encode(t.text);
        assert.deepEqual(ids, t.ids_with_bos, t.text);
        assert.equal(loaded.tokenizer!.decode(ids, { skipSpecialTokens: true }), t.text);
      }
    });

    for (const [name, c] of Object.entries(ref.forward)) {
      test(`forward ${name}: logits, argmax, activation norms`, async () => {
        const ids = tf.tensor2d([ref.prompt_ids], undefined, 'int32');
        const keep = keepMaskWithout(loaded.model.config.nLayers, dropNames(c));
        const { logits, subLayerOutputs } = loaded.model.forward(ids, { keep, collectSubLayerOutputs: true });
        const rows = (await logits.array())[0]!;
        const last = rows[rows.length - 1]!;
        const maxAbs = Math.max(...last.map((v, i) => Math.abs(v - c.last_logits[i]!)));
        assert.ok(maxAbs < 1e-4, `last-position logits differ by ${maxAbs}`);
        assert.deepEqual(rows.map((r) => r.indexOf(Math.max(...r))), c.argmax_per_position);
        assert.deepEqual([...subLayerOutputs!.keys()].sort(), Object.keys(c.activation_frobenius).sort());
        for (const [sub, out] of subLayerOutputs!) {
          const norm = (await tf.norm(out).data())[0]!;
          const expected = c.activation_frobenius[sub]!;
          assert.ok(Math.abs(norm - expected) / expected < 1e-4, `${sub}: norm ${norm} vs ${expected}`);
        }
        tf.dispose([ids, logits, ...subLayerOutputs!.values()]);
      });
    }

    test('loglikelihoods and is_greedy', async () => {
      for (const r of ref.loglikelihood) {
        const s = await scoreContinuation(loaded.model, r.context_ids, r.continuation_ids);
        assert.ok(Math.abs(s.loglikelihood - r.loglikelihood) < 1e-4, `${r.continuation_text}: ${s.loglikelihood}`);
        assert.equal(s.isGreedy, r.is_greedy, r.continuation_text);
        assert.equal(s.tokens, r.continuation_ids.length);
      }
    });
  });
}
