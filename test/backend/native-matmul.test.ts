import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { matMulParams } from '../../src/backend/native-matmul.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

const weightedSum = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));
const gradsOf = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.grads((...a: tf.Tensor[]) => weightedSum(f(...a)))(xs);

test('matMulParams: shapes, transposes and batch broadcasting', () => {
  const p = matMulParams([4, 3, 5], [5, 7], false, false);
  assert.deepEqual(p && [...p.params], [4, 1, 3, 5, 7, 0, 0, 0, 0]);
  assert.deepEqual(p?.outShape, [4, 3, 7]);
  assert.deepEqual(matMulParams([2, 5, 3], [2, 7, 5], true, true)?.outShape, [2, 3, 7]);
  assert.equal(matMulParams([2, 1, 3, 4], [1, 3, 4, 5], false, false), null); // [2,1] x [1,3]: cpu kernel
  assert.equal(matMulParams([3, 4], [5, 6], false, false), null); // inner mismatch: cpu kernel throws
});

test('BatchMatMul with transposes and broadcasting matches cpu, gradients too', { skip: nativeSkip }, async (t) => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [1, 1], b: [1, 1], ta: false, tb: false },
    { a: [7, 5], b: [5, 3], ta: false, tb: false },
    { a: [5, 7], b: [5, 3], ta: true, tb: false },
    { a: [7, 5], b: [3, 5], ta: false, tb: true },
    { a: [5, 7], b: [3, 5], ta: true, tb: true },
    { a: [4, 9, 6], b: [4, 6, 2], ta: false, tb: false },
    { a: [4, 6, 9], b: [4, 2, 6], ta: true, tb: true },
    { a: [3, 9, 6], b: [6, 11], ta: false, tb: false },
    { a: [8, 6], b: [2, 3, 6, 5], ta: false, tb: false },
    { a: [2, 3, 16, 8], b: [2, 3, 16, 8], ta: false, tb: true },
    // Past 2^17 multiply-adds oneDNN runs instead of the small-matrix loop.
    { a: [64, 130], b: [130, 70], ta: false, tb: false },
    { a: [2, 90, 70], b: [2, 100, 90], ta: true, tb: true },
    { a: [3, 70, 90], b: [90, 100], ta: false, tb: false },
    { a: [90, 70], b: [2, 100, 90], ta: true, tb: true },
  ];
  for (const [i, c] of cases.entries()) {
    const mm = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, c.ta, c.tb);
    const inputs = [randn(c.a, 200 + i), randn(c.b, 300 + i)];
    const label = `matMul ${c.a}${c.ta ? 'T' : ''} x ${c.b}${c.tb ? 'T' : ''}`;
    await compareWithCpu(t, label, mm, inputs, ['BatchMatMul']);
    // tfjs-core's BatchMatMul gradient does not reduce broadcast batches (fails on cpu too).
    if (c.a.length === c.b.length) await compareWithCpu(t, `${label} grads`, gradsOf(mm), inputs, ['BatchMatMul']);
  }
});

test('_FusedMatMul with bias and activations matches cpu, gradients too', { skip: nativeSkip }, async (t) => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const [i, activation] of acts.entries()) {
    const fused = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
      tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.3, transposeB: i % 2 === 1 });
    const big = i >= 3; // the last three run in oneDNN with fused post-ops
    const [m, k, n] = big ? [80, 60, 50] : [9, 12, 5];
    const inputs = [randn([m, k], 1 + i), randn(i % 2 ? [n, k] : [k, n], 2 + i), randn([n], 3 + i)];
    await compareWithCpu(t, `fused matMul ${activation}`, fused, inputs, ['_FusedMatMul']);
    await compareWithCpu(t, `fused matMul ${activation} grads`, gradsOf(fused), inputs, ['BatchMatMul']);
  }
});

test('a dense + LSTM model gives the same loss gradients on native and cpu', { skip: nativeSkip }, async (t) => {
  const model = (() => {
    const m = tfl.sequential();
    m.add(tfl.layers.lstm({ units: 12, inputShape: [20, 3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
    m.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
    return m;
  })();
  const x = randn([5, 20, 3], 9);
  const gradsFn = (xs: tf.Tensor) => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(xs) as tf.Tensor, tf.range(1, 5))) as tf.Scalar);
    return Object.values(grads);
  };
  await tf.setBackend('cpu');
  await compareWithCpu(t, 'lstm(12) + dense weight gradients', gradsFn, [x], ['BatchMatMul'], 5e-5);
  model.dispose();
});
