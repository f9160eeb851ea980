import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { buildModel } from '../../src/models/index.js';
import { Rng } from '../../src/util/random.js';

const info = await initNodeBackend();

/** Runs `steps` Adam steps of softmax cross-entropy on logits; returns the loss per step. */
function train(model: tfl.LayersModel, x: tf.Tensor, labels: number[], numClasses: number, steps: number): number[] {
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses));
  const opt = tf.train.adam(0.03);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true) as tf.Scalar;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  y.dispose();
  opt.dispose();
  return losses;
}

/** Two classes that differ only in a step over the last quarter of the sample (row-major). */
function bumps(n: number, shape: number[], rng: Rng): { x: tf.Tensor; labels: number[] } {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * size);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels.push(label);
    for (let j = 0; j < size; j++) data[i * size + j] = rng.normal(0, 0.3) + (label === 1 && j >= (3 * size) / 4 ? 1 : 0);
  }
  return { x: tf.tensor(data, [n, ...shape]), labels };
}

test(`ecg-lstm loss decreases (${info.name})`, () => {
  const model = buildModel('ecg-lstm', { inputShape: [16, 1], numClasses: 2, width: 0.5, seed: 1 });
  const { x, labels } = bumps(16, [16, 1], new Rng(2));
  const before = tf.memory().numTensors;
  const losses = train(model, x, labels, 2, 10);
  assert.ok(losses[9] < 0.6 * losses[0], `loss ${losses[0]} -> ${losses[9]}`);
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
});

test(`cnn64 loss decreases (${info.name})`, () => {
  const model = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125, seed: 1 });
  const { x, labels } = bumps(8, [16, 16, 1], new Rng(3));
  const losses = train(model, x, labels, 2, 10);
  assert.ok(losses[9] < 0.6 * losses[0], `loss ${losses[0]} -> ${losses[9]}`);
});

test(`vit-tiny loss decreases through the custom layers (${info.name})`, () => {
  const model = buildModel('vit-tiny', { inputShape: [16, 16, 1], numClasses: 2, width: 0.25, depth: 1, patchSize: 4, seed: 1 });
  const { x, labels } = bumps(8, [16, 16, 1], new Rng(4));
  const losses = train(model, x, labels, 2, 10);
  assert.ok(losses[9] < 0.6 * losses[0], `loss ${losses[0]} -> ${losses[9]}`);
});

test(`every architecture has finite, non-zero input gradients of a logit (${info.name})`, () => {
  const archs = ['ecg-gru', 'ecg-cnn', 'cnn64', 'vgg11', 'resnet50', 'densenet121', 'vit-small', 'unet'] as const;
  for (const arch of archs) {
    const inputShape = arch.startsWith('ecg') ? [32, 2] : [32, 32, 3];
    const model = buildModel(arch, { inputShape, numClasses: 2, width: 0.125, depth: arch === 'vit-small' ? 1 : undefined, patchSize: 8 });
    const x = tf.randomNormal([2, ...inputShape], 0, 1, 'float32', 5);
    const g = tf.grad((inp: tf.Tensor) => tf.sum(tf.gather(model.predict(inp) as tf.Tensor, [1], -1)))(x);
    const v = g.dataSync();
    assert.deepEqual(g.shape, x.shape, arch);
    assert.ok(v.every(Number.isFinite) && v.some((e) => e !== 0), `${arch}: gradient finite and non-zero`);
    tf.dispose([x, g]);
    model.dispose();
  }
});
