// Issue 11, defects 3 and 5: integers in imported JSON records keep their exact source text (Python's json keeps
// 1152921504606846977 and 9007199254740993; JavaScript's JSON.parse rounds them), and an alpaca dataset whose
// outputs are numbers is recognised as instruction data, with or without --task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../../engine/data/import.ts';
import { parseJsonFile, parseJsonl } from '../../engine/data/read-json.ts';
import type { InstructionRecord } from '../../engine/data/types.ts';

const BIG = '1152921504606846977'; // 2^60 + 1
const PAST_SAFE = '9007199254740993'; // 2^53 + 1

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'trimllm-exact-')), name);
  writeFileSync(path, text);
  return path;
}

test('JSON Lines and JSON: integers beyond 2^53 keep their source digits; other numbers stay numbers', () => {
  const [a] = parseJsonl(`{"output": ${BIG}, "n": ${PAST_SAFE}, "small": 42, "neg": -${BIG}, "f": 1.5, "s": "x ${BIG}"}`, 'a.jsonl');
  assert.deepEqual(a!.fields, { output: BIG, n: PAST_SAFE, small: 42, neg: `-${BIG}`, f: 1.5, s: `x ${BIG}` });
  const doc = parseJsonFile(`[\n{"id": ${BIG}, "v": [${PAST_SAFE}, 9007199254740991]}\n]`, 'b.json');
  assert.deepEqual(doc[0]!.fields, { id: BIG, v: [PAST_SAFE, 9007199254740991] });
  assert.equal(doc[0]!.loc.line, 2);
});

test('an alpaca dataset with number outputs is detected and keeps every output exactly', async () => {
  const lines = [
    { instruction: 'What is six times seven?', input: '', output: '42' },
    { instruction: 'What is 2 to the 60th plus one?', input: '', output: BIG },
    { instruction: 'What is 2 to the 53rd plus one?', input: '', output: PAST_SAFE },
  ].map((r) => `{"instruction": ${JSON.stringify(r.instruction)}, "input": "", "output": ${r.output}}`);
  const path = file('numbers.jsonl', `${lines.join('\n')}\n`);
  for (const options of [{}, { task: 'instruction' as const }]) {
    const r = await importDataset(path, options);
    assert.equal(r.taskType, 'instruction');
    assert.deepEqual(r.mapping, { task: 'instruction', instruction: 'instruction', input: 'input', output: 'output' });
    assert.deepEqual((r.records as InstructionRecord[]).map((x) => x.output), ['42', BIG, PAST_SAFE]);
    assert.equal(r.skipped.length, 0);
  }
});

test('a JSON syntax error in a file with long integers still names its line and column in the source', () => {
  assert.throws(() => parseJsonFile(`[\n{"id": ${BIG},}\n]`, 'c.json'), /c\.json: line 2, column \d+: not valid JSON/);
});

test('the same pattern in multiple choice: a list of number choices is detected as the choices', async () => {
  const path = file('math.jsonl', '{"question": "What is 6 x 7?", "choices": [36, 42, 48], "answer": 1}\n{"question": "What is 2 + 2?", "choices": [4, 5, 6], "answer": 0}\n');
  const r = await importDataset(path);
  assert.equal(r.taskType, 'mcq');
  assert.deepEqual(r.records.map((x) => (x as { choices: string[] }).choices), [['36', '42', '48'], ['4', '5', '6']]);
});
