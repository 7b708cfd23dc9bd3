// One run, two faces: the CLI's flags and the API's runs.start payload store byte-identical configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METHODS } from '../../electron/api/contract.ts';
import { closeDatabase, createRun, getRun, importDataset, insertModel, openDatabase, type Database } from '../../electron/store/index.ts';
import { runHandlers } from '../../electron/server/service-runs.ts';
import type { ServiceContext } from '../../electron/server/service-types.ts';
import { parse, UsageError } from '../../electron/cli/args.ts';
import { configFromFlags, TRIM_OPTIONS } from '../../electron/cli/commands/trim.ts';
import { readRunConfig, toRunConfig } from '../../electron/app/run-config.ts';
import { RUN_SETTINGS, RunSettingsSchema, storedSetting, type SettingName } from '../../electron/api/run-settings.ts';

function workspace(): { db: Database; modelId: number; datasetId: number } {
  const db = openDatabase(':memory:');
  const modelId = insertModel(db, { name: 'm', sourceKind: 'path', source: '/m.bin', format: 'llama2c', config: { nLayers: 5 } });
  const datasetId = importDataset(db, { name: 'd', source: '/d', format: 'jsonl', taskType: 'mcq', mapping: {} }, [{ split: 'train', payload: { i: 0 } }]);
  return { db, modelId, datasetId };
}

const storedConfigText = (db: Database, runId: number): string =>
  db.prepare<{ config: string }>('SELECT config FROM runs WHERE id = ?').get(runId)!.config;

/** Starts a run through the server's runs.start handler (the runner only records that it was asked). */
async function startFromApi(db: Database, settings: unknown, modelId: number, datasetId: number): Promise<number> {
  const ctx = {
    db, dataDir: '/tmp/trimllm-faces', events: {},
    runner: { activeTrim: () => null, startTrim: () => 'job-1' },
  } as unknown as ServiceContext;
  const request = METHODS['runs.start'].request.parse({ modelId, datasetId, settings });
  return (await runHandlers(ctx)['runs.start'](request)).runId;
}

const cases: { name: string; flags: string[]; settings: Record<string, unknown> }[] = [
  { name: 'defaults', flags: [], settings: {} },
  {
    name: 'every API setting',
    flags: ['--target', '0.6', '--k', '3', '--method', 'calibration', '--calibration', '16', '--max-epochs', '7', '--heal-epochs', '2',
      '--sparse-ratio', '0.5', '--lr', '0.0005', '--batch', '4', '--seed', '9', '--max-train', '64', '--max-eval', '32',
      '--baselines', 'random,top', '--baseline-epochs', '1'],
    settings: { target: 0.6, dropsPerEpoch: 3, method: 'calibration', calibrationSize: 16, maxEpochs: 7, healEpochs: 2, sparseRatio: 0.5,
      lr: 5e-4, batchSize: 4, seed: 9, maxTrain: 64, maxEval: 32, baselines: ['random', 'top'], baselineEpochs: 1 },
  },
  { name: 'no baselines', flags: ['--baselines', 'none'], settings: { baselines: [] } },
];

for (const c of cases) {
  test(`CLI flags and runs.start store byte-identical configs: ${c.name}`, async () => {
    const { db, modelId, datasetId } = workspace();
    try {
      const apiRun = await startFromApi(db, c.settings, modelId, datasetId);
      const reportDir = readRunConfig(getRun(db, apiRun)!).reportDir!; // the API's own report folder, given to the CLI
      const config = configFromFlags(parse([...c.flags, '--report-dir', reportDir], TRIM_OPTIONS).values);
      const cliRun = createRun(db, { modelId, datasetId, config, seed: config.seed });
      assert.equal(storedConfigText(db, cliRun), storedConfigText(db, apiRun));
    } finally {
      closeDatabase(db);
    }
  });
}

test('a CLI-only flag is refused by the API and range-checked by the CLI', () => {
  assert.equal(METHODS['runs.start'].request.safeParse({ modelId: 1, datasetId: 1, settings: { accuracyFloor: 0.9 } }).success, false);
  assert.throws(() => configFromFlags(parse(['--floor', '2'], TRIM_OPTIONS).values), (e: Error) => e instanceof UsageError && /^--floor must be a number in \[0, 1\]/.test(e.message));
  const floor = configFromFlags(parse(['--floor', '0.9'], TRIM_OPTIONS).values);
  assert.deepEqual(floor.targets, { keptFraction: 0.5, maxEpochs: 20, accuracyFloor: 0.9, floorReference: 'finetune' });
});

test('a stored config that this version cannot run fails with the run and field named', () => {
  assert.throws(() => readRunConfig({ id: 7, config: { method: 'both', targets: { maxEpochs: 'ten' } } }), /run 7: stored config field "targets.maxEpochs"/);
  assert.throws(() => readRunConfig({ id: 7, config: { ...configFromFlags({}), dropsPerEpoch: 0 } }), /run 7: stored config field "dropsPerEpoch"/);
});

test('every setting is read back from a stored config where RUN_SETTINGS says toRunConfig puts it (the run summary reads it so)', () => {
  const settings = RunSettingsSchema.parse({ paramRatio: 0.7, accuracyFloor: 0.9, healEpochs: 3, baselineEpochs: 2, templates: { mcq: 'Q: {question}\nA:' } });
  const config = toRunConfig(settings, null);
  for (const name of Object.keys(RUN_SETTINGS) as SettingName[]) {
    assert.deepEqual(storedSetting(config, name), settings[name], name);
  }
});
