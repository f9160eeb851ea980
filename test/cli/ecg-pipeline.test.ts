import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capPerGroupClass, runEcgTraining } from '../../src/cli/ecg-pipeline.js';
import { initNodeBackend } from '../../src/backend/node.js';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { saveModelFolder } from '../../src/node/models.js';
import { softmaxRows } from '../../src/train/predict.js';
import { sharedData, tmpDir } from '../helpers.js';

test('capPerGroupClass keeps at most max per (group, class), evenly spaced', () => {
  const ds = { x: new Float32Array(8), shape: [8, 1, 1], y: new Int32Array([0, 0, 0, 0, 1, 0, 0, 1]), classNames: ['a', 'b'], groups: ['r1', 'r1', 'r1', 'r1', 'r1', 'r2', 'r2', 'r2'] };
  // r1/a = [0,1,2,3] -> 2 evenly spaced: floor(0.5*4/2)=1, floor(1.5*4/2)=3; r1/b = [4]; r2/a = [5,6]; r2/b = [7]
  assert.deepEqual(capPerGroupClass(ds, [0, 1, 2, 3, 4, 5, 6, 7], 2), [1, 3, 4, 5, 6, 7]);
  assert.deepEqual(capPerGroupClass(ds, [0, 1, 2, 3, 4, 5, 6, 7], 1), [2, 4, 6, 7]);
});

const mitdb = sharedData('ecg/mitdb/119.hea');
test('MIT-BIH pipeline: held-out record keeps all its beats, training records are capped, no record on both sides', { skip: mitdb.skip }, async () => {
  await initNodeBackend('wasm');
  const lines: string[] = [];
  const run = await runEcgTraining({
    data: mitdb.path.replace(/119\.hea$/, ''),
    records: ['106', '119', '209', '118'],
    testRecords: ['119'],
    testFraction: 0.25,
    valFraction: 0.3,
    n: 0,
    fs: 50,
    before: 0.3,
    after: 0.4,
    maxPerClassPerRecord: 20,
    arch: 'ecg-lstm',
    depth: 1,
    width: 0.25,
    epochs: 1,
    batchSize: 32,
    learningRate: 0.003,
    seed: 1,
    classWeights: 'balanced',
    log: (l) => lines.push(l),
  });
  assert.deepEqual(run.testGroups, ['119']);
  assert.ok(run.test.groups!.every((g) => g === '119'));
  // 119: 1543 N + 444 V annotated (beat_label_counts.csv); all but the first/last beats are kept
  assert.ok(run.test.shape[0] >= 1980 && run.test.shape[0] <= 1987, `${run.test.shape[0]}`);
  assert.equal(run.evaluation.support.reduce((a, b) => a + b, 0), run.test.shape[0]);
  assert.deepEqual(run.evaluation.classNames, ['N', 'S', 'V', 'F']);
  assert.deepEqual(run.metadata.inputShape, [35, 3]); // signal + prev/next RR channels
  assert.equal(run.metadata.preprocessing.rrFeatures, 'prev-next-over-record-mean');
  assert.equal(run.metadata.preprocessing.beatNormalize, 'zscore');
  assert.match(lines[0], /training beats/);
  const trainBeats = Number(/; (\d+) training beats/.exec(lines[0])![1]);
  assert.ok(trainBeats <= 3 * 4 * 20, `${trainBeats} training beats with a cap of 20 per class per record`);
  assert.ok(run.fit.validationGroups!.every((g) => ['106', '209', '118'].includes(g)));
  // predict on the raw record must reproduce the pipeline's held-out probabilities (same preprocessing)
  const dir = tmpDir();
  await saveModelFolder(path.join(dir, 'model'), run.model, run.metadata);
  const code = await runCli(['node', 'medlens', 'predict', '--model', path.join(dir, 'model'), '--input', mitdb.path, '--out', path.join(dir, 'p.json'), '--backend', 'wasm']);
  assert.equal(code, 0);
  const rows = JSON.parse(fs.readFileSync(path.join(dir, 'p.json'), 'utf8')).predictions as { probabilities: Record<string, number> }[];
  assert.equal(rows.length, run.test.shape[0]);
  const probs = softmaxRows(run.testLogits, 4);
  rows.forEach((r, i) => ['N', 'S', 'V', 'F'].forEach((c, j) => assert.ok(Math.abs(r.probabilities[c] - probs[i * 4 + j]) < 1e-5, `beat ${i} ${c}`)));
  run.model.dispose();
});
