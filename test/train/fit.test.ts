import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { fit } from '../../src/train/fit.js';
import { MemoryCheckpointStore, decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.js';
import { readModelWeights } from '../../src/train/state.js';
import { crossEntropy, predictLogits } from '../../src/train/predict.js';
import { InvalidInputError, CorruptFileError } from '../../src/errors.js';
import type { LabeledDataset } from '../../src/data/types.js';
import type { ProgressEvent } from '../../src/progress.js';
import { Rng } from '../../src/util/random.js';

await tf.setBackend('cpu');

/** Two classes that differ in the sign of the mean of an [8, 1] signal; groups of 10. */
function toyData(n: number, seed: number): LabeledDataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 8);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3 === 0 ? 1 : 0; // imbalanced 1:2
    for (let t = 0; t < 8; t++) x[i * 8 + t] = (y[i] ? 0.8 : -0.8) + rng.normal(0, 0.5);
  }
  return { x, y, shape: [n, 8, 1], classNames: ['a', 'b'], groups: Array.from({ length: n }, (_, i) => `g${Math.floor(i / 10)}`) };
}

function toyModel(seed = 1): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 1] });
  const h = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
  const d = tfl.layers.dense({ units: 6, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }).apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }).apply(d) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

const flat = (m: tfl.LayersModel) => readModelWeights(m).flatMap((a) => Array.from(a.data));

test('learns a separable problem; validation split keeps groups apart; tensor count stays flat', async () => {
  const data = toyData(200, 3);
  const model = toyModel();
  const counts: number[] = [];
  const res = await fit(model, data, {
    epochs: 6,
    batchSize: 16,
    learningRate: 0.02,
    seed: 5,
    validation: { fraction: 0.25 },
    onEpochEnd: () => void counts.push(tf.memory().numTensors),
  });
  assert.equal(res.history.length, 6);
  assert.ok(res.history[5].loss < res.history[0].loss, 'loss decreases');
  assert.ok(res.history[5].valAccuracy! > 0.9, `val accuracy ${res.history[5].valAccuracy}`);
  const trainGroups = new Set(data.groups!.filter((g) => !res.validationGroups!.includes(g)));
  assert.ok(res.validationGroups!.length > 0 && res.validationGroups!.every((g) => !trainGroups.has(g)));
  assert.equal(res.validation!.shape[0], res.validationGroups!.length * 10);
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts per epoch ${counts}`);
  model.dispose();
});

test('loss is the class-weighted mean cross-entropy of the logits (known answer, one batch)', async () => {
  const data = toyData(30, 4); // 10 of class b, 20 of class a
  const model = toyModel(7);
  const logits = predictLogits(model, data.x, data.shape);
  // per-sample CE by hand, weighted by balanced weights: a = 30/(2*20), b = 30/(2*10)
  let expected = 0;
  for (let i = 0; i < 30; i++) {
    const w = data.y[i] ? 1.5 : 0.75;
    expected += w * crossEntropy(logits.subarray(i * 2, i * 2 + 2), [data.y[i]], 2);
  }
  expected /= 30;
  const events: ProgressEvent[] = [];
  await fit(model, data, { epochs: 1, batchSize: 30, optimizer: 'sgd', learningRate: 0.1, classWeights: 'balanced', onProgress: (e) => events.push(e) });
  const batch = events.filter((e) => e.task === 'train');
  assert.equal(batch.length, 1);
  assert.ok(Math.abs((batch[0].info!.loss as number) - expected) < 1e-5, `${batch[0].info!.loss} vs ${expected}`);
  model.dispose();
});

test('progress events: one per batch with increasing done, one per epoch', async () => {
  const data = toyData(50, 5);
  const model = toyModel();
  const events: ProgressEvent[] = [];
  await fit(model, data, { epochs: 3, batchSize: 16, onProgress: (e) => events.push(e) });
  const batch = events.filter((e) => e.task === 'train');
  assert.equal(batch.length, 3 * 4);
  batch.forEach((e, i) => assert.equal(e.done, i + 1));
  assert.equal(batch.at(-1)!.total, 12);
  const epochs = events.filter((e) => e.task === 'train:epoch');
  assert.deepEqual(epochs.map((e) => e.done), [1, 2, 3]);
  assert.equal(typeof epochs[0].info!.loss, 'number');
  model.dispose();
});

test('resume after an interruption reaches the same weights and history as an uninterrupted run', async () => {
  const data = toyData(60, 6);
  const opts = { epochs: 4, batchSize: 8, learningRate: 0.01, seed: 11, validation: { fraction: 0.2 } } as const;
  const a = toyModel(3);
  const full = await fit(a, data, { ...opts, checkpoints: new MemoryCheckpointStore() });

  const store = new MemoryCheckpointStore();
  const b = toyModel(3);
  await assert.rejects(
    fit(b, data, {
      ...opts,
      checkpoints: store,
      onEpochEnd: (r) => {
        if (r.epoch === 2) throw new Error('simulated crash');
      },
    }),
    /simulated crash/,
  );
  assert.equal(store.saves, 2);
  const c = toyModel(99); // different init: everything must come from the checkpoint
  const resumed = await fit(c, data, { ...opts, checkpoints: store, resume: true });
  assert.equal(resumed.resumedFrom, 2);
  assert.deepEqual(flat(c), flat(a));
  assert.deepEqual(resumed.history.map((h) => h.loss), full.history.map((h) => h.loss));
  assert.deepEqual(resumed.history.map((h) => h.valLoss), full.history.map((h) => h.valLoss));
  for (const m of [a, b, c]) m.dispose();
});

test('early stopping stops after patience and restores the best epoch weights', async () => {
  const data = toyData(40, 7);
  const model = toyModel();
  const perEpoch: number[][] = [];
  // minDelta huge: no epoch after the first counts as better, so it stops after 1 + patience
  const res = await fit(model, data, {
    epochs: 10,
    batchSize: 8,
    learningRate: 0.05,
    validation: { fraction: 0.25 },
    earlyStopping: { patience: 2, minDelta: 100 },
    onEpochEnd: () => void perEpoch.push(flat(model)),
  });
  assert.equal(res.history.length, 3);
  assert.equal(res.stoppedEarly, true);
  assert.equal(res.bestEpoch, 1);
  assert.deepEqual(flat(model), perEpoch[0]);
  assert.notDeepEqual(perEpoch[2], perEpoch[0]);
  model.dispose();
});

test('invalid data and options are InvalidInputError', async () => {
  const model = toyModel();
  const good = toyData(10, 8);
  const nan = { ...good, x: good.x.slice() };
  nan.x[5] = NaN;
  await assert.rejects(fit(model, nan, { epochs: 1 }), (e: unknown) => e instanceof InvalidInputError && /NaN/.test(e.message));
  const inf = { ...good, x: good.x.slice() };
  inf.x[3] = Infinity;
  await assert.rejects(fit(model, inf, { epochs: 1 }), InvalidInputError);
  await assert.rejects(fit(model, { ...good, y: Int32Array.from(good.y, (v, i) => (i === 2 ? 5 : v)) }, { epochs: 1 }), /label 5/);
  await assert.rejects(fit(model, { ...good, shape: [10, 4, 2] }, { epochs: 1 }), /does not match the model input/);
  await assert.rejects(fit(model, { ...good, shape: [10, 7, 1] }, { epochs: 1 }), InvalidInputError);
  await assert.rejects(fit(model, good, { epochs: 0 }), /epochs/);
  await assert.rejects(fit(model, good, { epochs: 1, classWeights: [1] }), /classWeights/);
  await assert.rejects(fit(model, good, { epochs: 1, earlyStopping: { patience: 1 } }), /validation/);
  model.dispose();
});

test('checkpoint bytes round-trip; truncation and bad magic are CorruptFileError', () => {
  const ck = {
    epochsDone: 3,
    seed: 4,
    optimizer: 'adam',
    history: [{ epoch: 1, loss: 0.5, accuracy: 0.7, valLoss: NaN, seconds: 1 }],
    weights: [{ name: 'k', shape: [2, 2], dtype: 'float32' as const, data: new Float32Array([1, 2, 3, 4]) }],
    optimizerWeights: [{ name: 'iter', shape: [], dtype: 'int32' as const, data: new Int32Array([7]) }],
    best: { epoch: 2, value: 0.4, wait: 1, weights: [{ name: 'k', shape: [2, 2], dtype: 'float32' as const, data: new Float32Array([5, 6, 7, 8]) }] },
  };
  const bytes = encodeCheckpoint(ck);
  const back = decodeCheckpoint(bytes, 'x.ckpt');
  assert.deepEqual(Array.from(back.weights[0].data), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(back.optimizerWeights[0].data), [7]);
  assert.ok(back.optimizerWeights[0].data instanceof Int32Array);
  assert.deepEqual(Array.from(back.best!.weights![0].data), [5, 6, 7, 8]);
  assert.equal(back.best!.wait, 1);
  assert.ok(Number.isNaN(back.history[0].valLoss));
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3), 'x.ckpt'), (e: unknown) => e instanceof CorruptFileError && /truncated/.test(e.message));
  assert.throws(() => decodeCheckpoint(new Uint8Array(20), 'x.ckpt'), /bad magic/);
});
