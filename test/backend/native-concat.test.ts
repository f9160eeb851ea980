import test from 'node:test';
import { tf } from '../../src/backend/tf.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

/** Shapes concatenated along `axis` (last-axis ones as DenseNet's channel concat). */
const CASES: { shapes: number[][]; axis: number }[] = [
  { shapes: [[2, 5, 4, 3], [2, 5, 4, 7]], axis: -1 },
  { shapes: [[2, 5, 4, 3], [2, 5, 4, 1], [2, 5, 4, 2]], axis: 3 },
  { shapes: [[2, 3, 4], [2, 1, 4]], axis: 1 },
  { shapes: [[1, 3], [4, 3]], axis: 0 },
  { shapes: [[5], [2], [1]], axis: 0 },
  { shapes: [[2, 2, 3, 3, 2], [2, 2, 3, 3, 5]], axis: 4 },
];

test('Concat and its gradient (SplitV) match cpu', { skip: nativeSkip }, async (t) => {
  for (const [i, c] of CASES.entries()) {
    const inputs = c.shapes.map((s, j) => randn(s, 10 * i + j));
    const cat = (...xs: tf.Tensor[]) => tf.concat(xs, c.axis);
    const label = `concat ${c.shapes.map((s) => s.join('x')).join(' + ')} axis ${c.axis}`;
    await compareWithCpu(t, label, cat, inputs, ['Concat'], 0);
    // The gradient splits a non-trivial dy back into the inputs' shapes.
    const grads = (...xs: tf.Tensor[]) => tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(cat(...a), tf.sin(tf.reshape(tf.range(0, cat(...a).size), cat(...a).shape)))))(xs);
    await compareWithCpu(t, `${label} grads`, grads, inputs, ['SplitV'], 1e-6);
  }
});

test('SplitV with size lists, -1 and equal parts matches cpu', { skip: nativeSkip }, async (t) => {
  const x = randn([3, 4, 10], 1);
  await compareWithCpu(t, 'split [3,4,10] [2,5,3] axis 2', (v) => tf.split(v, [2, 5, 3], 2), [x], ['SplitV'], 0);
  await compareWithCpu(t, 'split [3,4,10] [1,-1] axis 1', (v) => tf.split(v, [1, -1], 1), [x], ['SplitV'], 0);
  await compareWithCpu(t, 'split [3,4,10] 3 parts axis 0', (v) => tf.split(v, 3, 0), [x], ['SplitV'], 0);
});
