import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { binaryParams, reduceParams } from '../../src/backend/native-elementwise.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

test('binaryParams and reduceParams: broadcast shapes and reduce flags', () => {
  const b = binaryParams([4, 1, 3], [5, 1]);
  assert.deepEqual(b?.outShape, [4, 5, 3]);
  assert.deepEqual(b && [...b.params], [3, 4, 5, 3, 4, 1, 3, 1, 5, 1]);
  const r = reduceParams([2, 3, 4], [0, 2], true);
  assert.deepEqual(r?.outShape, [1, 3, 1]);
  assert.equal(r?.count, 8);
  assert.deepEqual(r && [...r.params], [3, 2, 3, 4, 1, 0, 1]);
  assert.deepEqual(reduceParams([2, 3], undefined, false)?.outShape, []);
});

test('broadcasting binary ops match cpu on many shape pairs', { skip: nativeSkip }, async (t) => {
  const pairs: [number[], number[]][] = [
    [[7], [7]], [[], [5]], [[4, 3], []], [[2, 3, 4], [4]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]],
    [[16, 8, 8, 32], [32]], [[1, 1, 1, 5], [3, 4, 6, 5]], [[3, 1, 5, 1, 2], [1, 4, 1, 6, 1]], [[1], [1]],
  ];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Add', tf.add], ['Sub', tf.sub], ['Multiply', tf.mul], ['RealDiv', tf.div],
    ['SquaredDifference', tf.squaredDifference], ['Maximum', tf.maximum], ['Minimum', tf.minimum],
  ];
  for (const [i, [sa, sb]] of pairs.entries()) {
    for (const [name, op] of ops) {
      await compareWithCpu(t, `${name} [${sa}] [${sb}]`, op, [randn(sa, i), randn(sb, 100 + i)], [name], 1e-6);
    }
  }
});

test('unary activations, Tile, pooling and batch norm match cpu (with gradients)', { skip: nativeSkip }, async (t) => {
  const x = randn([2, 5, 6, 3], 7);
  const unary: [string, (a: tf.Tensor) => tf.Tensor][] = [
    ['Relu', tf.relu], ['Relu6', tf.relu6], ['Sigmoid', tf.sigmoid], ['Tanh', tf.tanh], ['Exp', tf.exp], ['Square', tf.square],
    ['Neg', tf.neg], ['Elu', tf.elu], ['LeakyRelu', (a) => tf.leakyRelu(a, 0.3)], ['Step', (a) => tf.step(a, 0.25)],
    ['Sqrt', (a) => tf.sqrt(tf.abs(a))], ['Rsqrt', (a) => tf.rsqrt(tf.add(tf.abs(a), 0.1))],
  ];
  for (const [name, op] of unary) await compareWithCpu(t, name, op, [x], [name], 1e-6);
  await compareWithCpu(t, 'relu/sigmoid/tanh/elu grads', (a) => tf.grads((v: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.add(tf.relu(v), tf.sigmoid(v)), tf.add(tf.tanh(v), tf.elu(v))), v)))([a]), [x], ['Multiply'], 1e-6); // Relu's gradient no longer runs Step on native (MedlensReluGrad)
  await compareWithCpu(t, 'Tile [2,1,3] x [3,4,2]', (a) => tf.tile(a, [3, 4, 2]), [randn([2, 1, 3], 1)], ['Tile'], 0);
  await compareWithCpu(t, 'Tile [5] x [3]', (a) => tf.tile(a, [3]), [randn([5], 2)], ['Tile'], 0);
  const pools: [number | [number, number], number | [number, number], 'same' | 'valid'][] = [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same'], [[2, 3], [1, 2], 'valid']];
  for (const [f, s, pad] of pools) {
    const mp = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, f, s, pad);
    await compareWithCpu(t, `maxPool f${f} s${s} ${pad}`, mp, [randn([2, 9, 8, 3], 3)], ['MaxPool'], 0);
    await compareWithCpu(t, `maxPool f${f} s${s} ${pad} grad`, (a) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(mp(v), mp(v))))(a), [randn([2, 9, 8, 3], 3)], ['MaxPoolGrad'], 1e-6);
  }
  for (const [f, s, pad] of pools) {
    const ap = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, f, s, pad);
    await compareWithCpu(t, `avgPool f${f} s${s} ${pad}`, ap, [randn([2, 9, 8, 3], 4)], ['AvgPool'], 1e-6);
    await compareWithCpu(t, `avgPool f${f} s${s} ${pad} grad`, (a) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(ap(v), ap(v))))(a), [randn([2, 9, 8, 3], 4)], ['AvgPoolGrad'], 1e-6);
  }
  const bn = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(a, m, tf.abs(v), o, s, 1e-3);
  await compareWithCpu(t, 'batchNorm', bn, [randn([4, 5, 6, 3], 1), randn([3], 2), randn([3], 3), randn([3], 4), randn([3], 5)], ['FusedBatchNorm'], 1e-5);
  await compareWithCpu(t, 'batchNorm no offset/scale', (a, m, v) => tf.batchNorm(a, m, tf.abs(v)), [randn([6, 4], 1), randn([4], 2), randn([4], 3)], ['FusedBatchNorm'], 1e-5);
});

test('Sum and Mean over any axes match cpu', { skip: nativeSkip }, async (t) => {
  const cases: [number[], number | number[] | undefined, boolean][] = [
    [[7], undefined, false], [[4, 5], 0, false], [[4, 5], 1, true], [[3, 4, 5], [0, 2], false], [[3, 4, 5], [1], true],
    [[16, 8, 8, 32], [0, 1, 2], true], [[2, 3, 4, 5, 6], [1, 3], false], [[3, 1, 4], [1], false], [[2, 3, 4], [-1], false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    const x = randn(shape, shape.length);
    await compareWithCpu(t, `sum [${shape}] axis ${axis} keep ${keepDims}`, (a) => tf.sum(a, axis, keepDims), [x], ['Sum'], 1e-6);
    await compareWithCpu(t, `mean [${shape}] axis ${axis} keep ${keepDims}`, (a) => tf.mean(a, axis, keepDims), [x], ['Mean'], 1e-6);
  }
});
