import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tf } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { buildModel } from '../../src/models/zoo.js';
import { generateEcgBeats } from '../../src/data/synthetic/index.js';
import { fit } from '../../src/train/fit.js';
import { readModelWeights } from '../../src/train/state.js';
import { predictLogits } from '../../src/train/predict.js';
import { FileCheckpointStore } from '../../src/node/checkpoints.js';
import { tmpDir } from '../helpers.js';

await initNodeBackend('wasm');
const data = generateEcgBeats({ n: 48, seed: 2, fs: 50, before: 10, after: 10 });
const build = () => buildModel('ecg-lstm', { inputShape: [20, 1], numClasses: 3, seed: 4, depth: 1, width: 0.5 });
const flat = (m: ReturnType<typeof build>) => readModelWeights(m).flatMap((a) => Array.from(a.data));

test('ecg-lstm on wasm: tensor count flat across epochs and after predict', async () => {
  const model = build();
  const counts: number[] = [];
  await fit(model, data, { epochs: 3, batchSize: 16, validation: { fraction: 0.25 }, onEpochEnd: () => void counts.push(tf.memory().numTensors) });
  assert.ok(counts.every((c) => c === counts[0]), `numTensors per epoch ${counts}`);
  const before = tf.memory().numTensors;
  predictLogits(model, data.x, data.shape, 7);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('the zoo LSTM starts with forget-gate bias 1 and the other gate biases 0 (unit forget bias)', () => {
  const model = build();
  const bias = model.getLayer('lstm1').getWeights()[2].dataSync();
  const u = bias.length / 4;
  assert.deepEqual([bias[0], bias[u - 1], bias[u], bias[2 * u - 1], bias[2 * u], bias[4 * u - 1]], [0, 0, 1, 1, 0, 0]);
  model.dispose();
});

test('resume from a FileCheckpointStore after a crash gives the same weights (ecg-lstm, wasm)', async () => {
  const opts = { epochs: 3, batchSize: 16, seed: 9, learningRate: 0.01 };
  const a = build();
  await fit(a, data, opts);
  const store = new FileCheckpointStore(path.join(tmpDir(), 'ck'));
  const b = build();
  await assert.rejects(fit(b, data, { ...opts, checkpoints: store, onEpochEnd: (r) => { if (r.epoch === 1) throw new Error('killed'); } }), /killed/);
  const c = buildModel('ecg-lstm', { inputShape: [20, 1], numClasses: 3, seed: 77, depth: 1, width: 0.5 });
  const res = await fit(c, data, { ...opts, checkpoints: store, resume: true });
  assert.equal(res.resumedFrom, 1);
  assert.deepEqual(flat(c), flat(a));
  for (const m of [a, b, c]) m.dispose();
});
