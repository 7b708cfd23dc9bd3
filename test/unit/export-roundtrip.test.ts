import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportHfFolder } from '../../engine/io/export.ts';
import { loadModel, type LoadedModel } from '../../engine/io/load-model.ts';
import { readLlama2c } from '../../engine/io/llama2c.ts';
import { readSafetensors } from '../../engine/io/safetensors.ts';
import { bf16ToF32Bits, f32BitsToBf16 } from '../../engine/io/half-float.ts';
import { buildWeights } from '../../engine/model/weights.ts';
import { LlamaModel } from '../../engine/model/llama.ts';
import { keepMaskWithout } from '../../engine/model/sublayers.ts';
import { loadStories, STORIES_BIN, STORIES_TOK, storiesReference as ref } from '../helpers/shared.ts';

let base: LoadedModel;
const dir = mkdtempSync(join(tmpdir(), 'trimllm-export-'));
before(async () => {
  base = await loadStories('wasm');
});
after(() => base.model.dispose());

async function promptLogits(model: LlamaModel): Promise<Float32Array> {
  const ids = tf.tensor2d([ref.prompt_ids], undefined, 'int32');
  const { logits } = model.forward(ids);
  const data = (await logits.data()) as Float32Array;
  tf.dispose([ids, logits]);
  return data;
}

test('F32 export loaded back through the HF loader gives identical logits and tokenizer', async () => {
  const out = join(dir, 'f32');
  await exportHfFolder(base.model, base.tokenizer, out, { dtype: 'F32', tokenizerSource: STORIES_TOK });
  assert.equal(statSync(join(out, 'tokenizer.bin')).mode & 0o777, 0o644, 'copied from a read-only source, written 0644');
  const back = await loadModel(out);
  try {
    assert.equal(back.format, 'hf');
    assert.deepEqual(back.model.config, base.model.config);
    assert.deepEqual(await promptLogits(back.model), await promptLogits(base.model));
    assert.deepEqual(back.tokenizer!.encode('Once upon a time'), ref.tokenizer[0]!.ids_with_bos);
  } finally {
    back.model.dispose();
  }
});

test('BF16 export equals the model with its weights rounded to bfloat16 (round to nearest even)', async () => {
  const out = join(dir, 'bf16');
  await exportHfFolder(base.model, base.tokenizer, out, { dtype: 'BF16', tokenizerSource: STORIES_TOK });
  assert.equal(readSafetensors(join(out, 'model.safetensors')).tensors.get('model.norm.weight')!.dtype, 'BF16');
  const ck = readLlama2c(STORIES_BIN);
  const roundBf16 = (data: Float32Array) => {
    const bits = new Uint32Array(Float32Array.from(data).buffer);
    for (let i = 0; i < bits.length; i++) bits[i] = bf16ToF32Bits(f32BitsToBf16(bits[i]!));
    return new Float32Array(bits.buffer);
  };
  const rounded = new LlamaModel(ck.config, buildWeights(ck.config, (name, shape) => {
    const t = ck.source(name, shape);
    return { shape: t.shape, data: roundBf16(t.data) };
  }));
  const back = await loadModel(out);
  try {
    const got = await promptLogits(back.model);
    assert.deepEqual(got, await promptLogits(rounded));
    const full = await promptLogits(base.model);
    const maxAbs = Math.max(...got.map((v, i) => Math.abs(v - full[i]!)));
    assert.ok(maxAbs > 0 && maxAbs < 0.5, `bf16 rounding moved logits by ${maxAbs}`);
  } finally {
    back.model.dispose();
    rounded.dispose();
  }
});

test('a trimmed export records the keep mask both ways, leaves dropped tensors out, and loads back trimmed', async () => {
  const out = join(dir, 'trimmed');
  const keep = keepMaskWithout(5, ['attn2', 'mlp0']);
  const trimmed = new LlamaModel(base.model.config, base.model.weights, keep);
  await exportHfFolder(trimmed, base.tokenizer, out, { tokenizerSource: STORIES_TOK });
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config.drop_attn_list, [2]);
  assert.deepEqual(config.drop_mlp_list, [0]);
  const blocks = config.block_configs as { attention: { no_op: boolean }; ffn: { no_op: boolean } }[];
  assert.deepEqual(blocks.map((b) => [b.attention.no_op, b.ffn.no_op]), [
    [false, true], [false, false], [true, false], [false, false], [false, false],
  ]);
  const names = [...readSafetensors(join(out, 'model.safetensors')).tensors.keys()];
  assert.ok(!names.some((n) => n.startsWith('model.layers.2.self_attn') || n.startsWith('model.layers.0.mlp')));
  const back = await loadModel(out);
  try {
    assert.deepEqual(back.model.keepMask, keep);
    assert.deepEqual(await promptLogits(back.model), await promptLogits(trimmed));
  } finally {
    back.model.dispose();
  }
});
