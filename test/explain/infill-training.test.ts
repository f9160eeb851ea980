import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { EcgInfillModel, ImageInfillModel } from '../../src/explain/infill/index.js';
import { clipByGlobalNorm, initSeed, runMaskedTraining } from '../../src/explain/infill/training.js';
import { generateEcgBeats } from '../../src/data/synthetic/index.js';
import { standardize, channelStats } from '../../src/train/preprocess.js';
import { initNodeBackend } from '../../src/backend/node.js';

test.before(async () => {
  await initNodeBackend();
});

const weightsOf = (m: { model: { getWeights(): tf.Tensor[] } }) => m.model.getWeights().map((w) => Array.from(w.dataSync()));

test('infill models built with seed 0 get the same weights every time (tfjs reads seed 0 as "unseeded")', () => {
  assert.equal(initSeed(0), 0x5eed);
  assert.equal(initSeed(7), 7);
  const a = EcgInfillModel.create({ seed: 0 }), b = EcgInfillModel.create({ seed: 0 });
  assert.deepEqual(weightsOf(a), weightsOf(b));
  const c = ImageInfillModel.create({ seed: 0, filters: 4 }), d = ImageInfillModel.create({ seed: 0, filters: 4 });
  assert.deepEqual(weightsOf(c), weightsOf(d));
  [a, b, c, d].forEach((m) => m.dispose());
});

test('clipByGlobalNorm scales all gradients by one factor down to the norm, and leaves small ones alone', () => {
  const grads = { a: tf.tensor1d([3]), b: tf.tensor1d([0, 4]) };
  const clipped = clipByGlobalNorm(grads, 1);
  assert.ok(Math.abs(clipped.a.dataSync()[0] - 0.6) < 1e-6);
  assert.deepEqual(Array.from(clipped.b.dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0, 0.8]);
  const kept = clipByGlobalNorm(grads, 10);
  assert.equal(kept.a.dataSync()[0], 3);
  assert.deepEqual(clipByGlobalNorm({}, 1), {});
});

test('runMaskedTraining with clipNorm: rejects bad values; clipped training is deterministic and still learns', async () => {
  const v = tf.variable(tf.scalar(5));
  const loop = { task: 't', steps: 40, learningRate: 0.2, variables: [v], sample: () => 0, loss: () => tf.square(v) as tf.Scalar };
  await assert.rejects(runMaskedTraining({ ...loop, clipNorm: 0 }), /clipNorm/);
  await assert.rejects(runMaskedTraining({ ...loop, clipNorm: NaN }), /clipNorm/);
  const losses = await runMaskedTraining({ ...loop, clipNorm: 1 });
  assert.equal(losses.length, 40);
  assert.ok(losses[39] < 0.05 * losses[0], `${losses[0]} -> ${losses[39]}`);
  v.dispose();
});

test('ECG infill on standardised beats (the study setting): beats linear interpolation in held-out holes, same result twice', async () => {
  const train = generateEcgBeats({ n: 160, seed: 3, fs: 100, neighbours: false });
  const held = generateEcgBeats({ n: 40, seed: 4, fs: 100, neighbours: false });
  const { mean, std } = channelStats(train.x, 1);
  const z = (x: Float32Array) => standardize(x, mean, std);
  const opts = { window: 64, gap: [3, 20] as [number, number], steps: 120, batchSize: 32, learningRate: 2e-3, clipNorm: 1, seed: 0 };
  const run = async () => {
    const m = EcgInfillModel.create({ seed: 0 });
    const { losses } = await m.train({ x: z(train.x), shape: train.shape }, opts);
    const mse = m.evaluate({ x: z(held.x), shape: held.shape }, { window: 64, gap: [3, 20], count: 128, seed: 0 });
    m.dispose();
    return { losses, mse };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.losses.every(Number.isFinite));
  assert.ok(a.mse.model < 0.8 * a.mse.linear, `model ${a.mse.model} linear ${a.mse.linear}`);
});
