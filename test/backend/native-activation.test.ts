import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { RELU_GRAD } from '../../src/backend/native-activation.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

/** x with exact zeros, NaN and infinities among normal values (step(0) = 0, step(NaN) = NaN). */
function special(shape: number[], seed: number) {
  const d = randn(shape, seed);
  d.values[0] = 0;
  d.values[1] = NaN;
  d.values[2] = Infinity;
  d.values[3] = -Infinity;
  for (let i = 4; i < d.values.length; i += 7) d.values[i] = 0;
  return d;
}

test('the Relu gradient runs fused on native and matches cpu (zeros, NaN, infinities, second derivative)', { skip: nativeSkip }, async (t) => {
  const grad = (x: tf.Tensor, w: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x);
  for (const [i, shape] of [[7], [3, 5, 4], [2, 70, 70, 3], [16, 64, 64, 8]].entries()) {
    const label = `relu grad [${shape}]`;
    const inputs = [special(shape, i), randn(shape, 10 + i)];
    if (shape.length === 1) inputs[1].values[4] = Infinity; // dy = inf where x = 0: NaN, as dy * step(x)
    // NaN and infinities do not compare within a tolerance: codes -7 (NaN), -8 (inf), -9 (-inf).
    const clean = (x: tf.Tensor, w: tf.Tensor) => {
      const g = grad(x, w);
      const code = tf.where(tf.isNaN(g), tf.fill(g.shape, -7), tf.where(tf.isInf(g), tf.where(tf.greater(g, 0), tf.fill(g.shape, -8), tf.fill(g.shape, -9)), g));
      return code;
    };
    await compareWithCpu(t, label, clean, inputs, [], 0);
  }
  // Second derivative through the fused kernel: d/dw of sum(grad * w2).
  const second = (x: tf.Tensor, w: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(grad(x, v), v)))(w);
  await compareWithCpu(t, 'relu second derivative', second, [randn([4, 6], 1), randn([4, 6], 2)], [], 1e-6);
  await tf.setBackend('native');
  const x = tf.randomNormal([3, 4]);
  const kernels = (await tf.profile(() => tf.tidy(() => grad(x, tf.onesLike(x))))).kernels.map((k) => k.name);
  assert.ok(kernels.includes(RELU_GRAD), kernels.join());
  assert.ok(!kernels.includes('Step'), kernels.join());
  await tf.setBackend('cpu');
  const cpuKernels = (await tf.profile(() => tf.tidy(() => grad(x, tf.onesLike(x))))).kernels.map((k) => k.name);
  assert.ok(cpuKernels.includes('Step') && !cpuKernels.includes(RELU_GRAD), cpuKernels.join());
  x.dispose();
});
