import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { FullGrad, fullGradients, effectiveBias } from '../../src/explain/fullgrad.js';
import { assertClose } from '../helpers.js';
import { seeded, testInput, useCpu } from './fixtures.js';

before(useCpu);

/** ReLU conv net with biases, BatchNorm (hand-set statistics), max pooling and a dense head. */
function net(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1), biasInitializer: seeded(2), name: 'c1' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: seeded(3), biasInitializer: seeded(4), name: 'c2' }),
      tfl.layers.reLU(),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, kernelInitializer: seeded(5), biasInitializer: seeded(6), name: 'd' }),
    ],
  });
  m.getLayer('bn').setWeights([tf.tensor1d([1.5, 0.5, -1]), tf.tensor1d([0.2, -0.1, 0.3]), tf.tensor1d([0.1, 0.4, -0.2]), tf.tensor1d([2, 0.5, 1])]);
  return m;
}

test('full-gradient completeness: grad_x . x + sum of grad_b . b = f(x) on a ReLU/BN/max-pool net', () => {
  const m = net();
  const x = testInput([2, 6, 6, 2], 3);
  const { total, out, names } = tf.tidy(() => {
    const { inputGradient, biasTerms } = fullGradients(m, x, { kind: 'class', classes: Int32Array.from([0, 1]) }, Int32Array.from([0, 1]));
    let t = tf.sum(tf.reshape(tf.mul(inputGradient, x), [2, -1]), 1);
    for (const b of biasTerms) t = tf.add(t, tf.sum(tf.reshape(b.value, [2, -1]), 1));
    const o = (m.predict(x) as tf.Tensor).dataSync();
    return { total: t.dataSync(), out: [o[0], o[3]], names: biasTerms.map((b) => b.layer) };
  });
  assert.deepEqual(names, ['c1', 'bn', 'c2', 'd']);
  assertClose(total, out, 1e-4, 1e-4);
});

test('effectiveBias of BatchNorm is beta - gamma * mean / sqrt(var + eps)', () => {
  const b = effectiveBias(net().getLayer('bn'))!;
  assertClose(b.dataSync(), [0.2 - (1.5 * 0.1) / Math.sqrt(2.001), -0.1 - (0.5 * 0.4) / Math.sqrt(0.501), 0.3 - (-1 * -0.2) / Math.sqrt(1.001)], 1e-6);
  b.dispose();
});

test('FullGrad map: shape, non-negative, no leaks, batch-order invariant', async () => {
  const m = net();
  const x = testInput([3, 6, 6, 2], 1);
  const before = tf.memory().numTensors;
  const a = await new FullGrad(m).attribute(x, { target: [0, 1, 1], internalBatchSize: 2 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.shape, [3, 6, 6, 1]);
  assert.ok(a.values.every((v) => v >= 0 && Number.isFinite(v)));
  const b = await new FullGrad(m).attribute(tf.gather(x, [2, 1, 0]), { target: [1, 1, 0] });
  assertClose(b.sampleValues(0), a.sampleValues(2), 1e-5);
});
