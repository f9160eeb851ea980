import test from 'node:test';
import { tf } from '../../src/backend/tf.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

test('Transpose matches cpu for many permutations', { skip: nativeSkip }, async (t) => {
  const cases: [number[], number[]][] = [
    [[5, 7], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [2, 0, 1]], [[3, 1, 4], [1, 2, 0]],
    [[16, 9, 3, 8], [0, 2, 1, 3]], [[2, 5, 3, 3, 4], [2, 0, 3, 1, 4]], [[4, 6], [0, 1]], [[1, 1, 3], [2, 1, 0]],
  ];
  for (const [shape, perm] of cases) {
    await compareWithCpu(t, `transpose [${shape}] perm [${perm}]`, (x) => tf.transpose(x, perm), [randn(shape, shape.length)], ['Transpose'], 0);
  }
});

test('SplitV matches cpu on every axis, with gradients', { skip: nativeSkip }, async (t) => {
  const x = randn([4, 6, 5], 3);
  for (const [axis, sizes] of [[0, [1, 3]], [1, 3], [1, [2, -1, 1]], [2, [5]], [-1, [1, 4]]] as [number, number | number[]][]) {
    const split = (a: tf.Tensor) => tf.split(a, sizes, axis);
    await compareWithCpu(t, `split axis ${axis} ${JSON.stringify(sizes)}`, split, [x], ['SplitV'], 0);
  }
  const gradOfSplit = (a: tf.Tensor) => tf.grad((v: tf.Tensor) => {
    const [p, q] = tf.split(v, [2, 4], 1);
    return tf.add(tf.sum(tf.square(p)), tf.sum(tf.sin(q)));
  })(a);
  await compareWithCpu(t, 'split gradient', gradOfSplit, [x], ['SplitV'], 1e-6);
});

test('Softmax and Erf (GELU) match cpu, gradients too', { skip: nativeSkip }, async (t) => {
  for (const shape of [[7], [3, 5], [2, 3, 65, 65]]) {
    const x = randn(shape, shape.length);
    await compareWithCpu(t, `softmax [${shape}]`, (a) => tf.softmax(tf.mul(a, 4)), [x], ['Softmax'], 1e-6);
    await compareWithCpu(t, `softmax [${shape}] grad`, (a) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.softmax(v), tf.range(0, v.shape[v.rank - 1]))))(a), [x], ['Softmax'], 1e-6);
  }
  const gelu = (a: tf.Tensor) => tf.mul(tf.mul(a, 0.5), tf.add(1, tf.erf(tf.mul(a, Math.SQRT1_2))));
  await compareWithCpu(t, 'gelu via erf', gelu, [randn([4, 33], 5)], ['Erf'], 1e-6);
  await compareWithCpu(t, 'gelu via erf grad', (a) => tf.grad((v: tf.Tensor) => tf.sum(gelu(v)))(a), [randn([4, 33], 5)], ['Erf'], 1e-6);
});

test('Slice and PadV2 match cpu, gradients too', { skip: nativeSkip }, async (t) => {
  const x = randn([3, 5, 4, 6], 9);
  const slices: [number[], number[]][] = [[[0, 0, 0, 0], [-1, -1, -1, -1]], [[1, 2, 0, 0], [2, 3, 4, 6]], [[0, 1, 1, 2], [3, 2, 2, 3]], [[2, 4, 3, 5], [1, 1, 1, 1]], [[0, 0, 0, 1], [3, 5, 4, 4]]];
  for (const [begin, size] of slices) {
    await compareWithCpu(t, `slice begin [${begin}] size [${size}]`, (a) => tf.slice(a, begin, size), [x], ['Slice'], 0);
  }
  const pads: [number, number][][] = [[[0, 0], [1, 1], [1, 1], [0, 0]], [[0, 0], [0, 1], [2, 0], [0, 0]], [[1, 2], [0, 0], [0, 0], [3, 1]]];
  for (const [i, p] of pads.entries()) {
    await compareWithCpu(t, `pad ${JSON.stringify(p)} value ${i}`, (a) => tf.pad(a, p, i * 0.5), [x], ['PadV2'], 0);
    await compareWithCpu(t, `pad ${JSON.stringify(p)} grad`, (a) => tf.grad((v: tf.Tensor) => tf.sum(tf.sin(tf.pad(v, p))))(a), [x], ['Slice'], 1e-6);
  }
  await compareWithCpu(t, 'slice of a 1-D tensor', (a) => tf.slice(a, 3, 4), [randn([9], 1)], ['Slice'], 0);
});
