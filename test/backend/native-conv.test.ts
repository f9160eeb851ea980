import test from 'node:test';
import { tf } from '../../src/backend/tf.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

type T4 = tf.Tensor4D;
type T5 = tf.Tensor5D;
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** sum(y * fixed pseudo-random weights): its gradient feeds a non-trivial dy to the backprops. */
const weightedSum = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));
/** The gradients of weightedSum(f(...)) with respect to every argument. */
const gradsOf = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.grads((...a: tf.Tensor[]) => weightedSum(f(...a)))(xs);

const conv2dCases: { x: number[]; f: number[]; s: number | [number, number]; pad: Pad; d: number | [number, number] }[] = [
  { x: [1, 5, 5, 1], f: [3, 3, 1, 1], s: 1, pad: 'same', d: 1 },
  { x: [2, 9, 11, 3], f: [3, 3, 3, 5], s: 1, pad: 'same', d: 1 },
  { x: [2, 9, 11, 3], f: [3, 3, 3, 5], s: 2, pad: 'valid', d: 1 },
  { x: [3, 8, 8, 4], f: [5, 5, 4, 2], s: 2, pad: 'same', d: 1 },
  { x: [2, 10, 7, 3], f: [3, 2, 3, 4], s: [1, 2], pad: 'valid', d: 1 },
  { x: [1, 7, 7, 2], f: [1, 1, 2, 6], s: 1, pad: 'valid', d: 1 },
  { x: [2, 6, 6, 3], f: [3, 3, 3, 4], s: 1, pad: 2, d: 1 },
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], s: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], d: 1 },
  { x: [4, 16, 16, 8], f: [7, 7, 8, 16], s: 2, pad: 'same', d: 1 },
  { x: [2, 12, 12, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', d: 2 },
  { x: [1, 11, 9, 2], f: [2, 3, 2, 3], s: 1, pad: 'valid', d: [3, 2] },
];

test('Conv2D forward, input and filter gradients match cpu', { skip: nativeSkip }, async (t) => {
  for (const [i, c] of conv2dCases.entries()) {
    const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as T4, w as T4, c.s, c.pad, 'NHWC', c.d);
    const inputs = [randn(c.x, 10 + i), randn(c.f, 100 + i)];
    const label = `conv2d x${c.x} f${c.f} s${c.s} pad${JSON.stringify(c.pad)} d${c.d}`;
    await compareWithCpu(t, label, conv, inputs, ['Conv2D']);
    // tfjs has no gradient for dilated conv2d.
    if (c.d === 1) await compareWithCpu(t, `${label} grads`, gradsOf(conv), inputs, ['Conv2DBackpropInput', 'Conv2DBackpropFilter']);
  }
});

test('conv1d and conv2dTranspose run on oneDNN and match cpu', { skip: nativeSkip }, async (t) => {
  const conv1 = (x: tf.Tensor, w: tf.Tensor) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same');
  await compareWithCpu(t, 'conv1d [3,50,4] k7 s2', conv1, [randn([3, 50, 4], 1), randn([7, 4, 6], 2)], ['Conv2D']);
  await compareWithCpu(t, 'conv1d grads', gradsOf(conv1), [randn([3, 50, 4], 1), randn([7, 4, 6], 2)], ['Conv2DBackpropFilter']);
  const tconv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(x as T4, w as T4, [2, 9, 11, 5], 2, 'same');
  await compareWithCpu(t, 'conv2dTranspose [2,5,6,3] -> [2,9,11,5]', tconv, [randn([2, 5, 6, 3], 3), randn([3, 3, 5, 3], 4)], ['Conv2DBackpropInput']);
  await compareWithCpu(t, 'conv2dTranspose grads', gradsOf(tconv), [randn([2, 5, 6, 3], 3), randn([3, 3, 5, 3], 4)], ['Conv2D']);
});

test('FusedConv2D with bias and each activation matches cpu, gradients too', { skip: nativeSkip }, async (t) => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const [i, activation] of acts.entries()) {
    const fused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.fused.conv2d({ x: x as T4, filter: w as T4, bias: b, strides: i % 2 ? 2 : 1, pad: 'same', activation, leakyreluAlpha: 0.1 });
    const inputs = [randn([2, 9, 8, 3], 20 + i), randn([3, 3, 3, 4], 30 + i), randn([4], 40 + i)];
    await compareWithCpu(t, `fused conv2d ${activation}`, (x, w, b) => tf.mul(fused(x, w, b), 3), inputs, ['FusedConv2D']);
    await compareWithCpu(t, `fused conv2d ${activation} grads`, gradsOf(fused), inputs, ['Conv2DBackpropFilter']);
  }
  // prelu is not fused natively: the cpu kernel runs and the result still matches.
  const prelu = (x: tf.Tensor, w: tf.Tensor, a: tf.Tensor) =>
    tf.fused.conv2d({ x: x as T4, filter: w as T4, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: a });
  await compareWithCpu(t, 'fused conv2d prelu (cpu fallback)', prelu, [randn([1, 5, 5, 2], 1), randn([3, 3, 2, 3], 2), randn([3], 3)], []);
});

test('depthwise conv forward and gradients match cpu', { skip: nativeSkip }, async (t) => {
  const cases = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' as const, d: 1 },
    { x: [1, 8, 7, 4], f: [3, 3, 4, 2], s: 2, pad: 'same' as const, d: 1 },
    { x: [3, 10, 10, 2], f: [5, 5, 2, 3], s: 1, pad: 'valid' as const, d: 1 },
    { x: [2, 6, 6, 1], f: [3, 3, 1, 4], s: 1, pad: 'same' as const, d: 1 },
    { x: [2, 12, 12, 3], f: [3, 3, 3, 2], s: 1, pad: 'same' as const, d: 2 },
  ];
  for (const [i, c] of cases.entries()) {
    const dw = (x: tf.Tensor, w: tf.Tensor) => tf.depthwiseConv2d(x as T4, w as T4, c.s, c.pad, 'NHWC', c.d);
    const inputs = [randn(c.x, 50 + i), randn(c.f, 60 + i)];
    const label = `depthwise x${c.x} f${c.f} s${c.s} ${c.pad} d${c.d}`;
    await compareWithCpu(t, label, dw, inputs, ['DepthwiseConv2dNative']);
    if (c.d === 1) {
      await compareWithCpu(t, `${label} grads`, gradsOf(dw), inputs, ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);
    }
  }
  const fused = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
    tf.fused.depthwiseConv2d({ x: x as T4, filter: w as T4, bias: b, strides: 1, pad: 'same', activation: 'relu' });
  await compareWithCpu(t, 'fused depthwise relu', fused, [randn([2, 7, 7, 3], 1), randn([3, 3, 3, 2], 2), randn([6], 3)], ['FusedDepthwiseConv2D']);
});

test('Conv3D forward and gradients match cpu', { skip: nativeSkip }, async (t) => {
  const cases = [
    { x: [1, 5, 6, 7, 2], f: [3, 3, 3, 2, 3], s: 1, pad: 'same' as const },
    { x: [2, 8, 8, 8, 3], f: [3, 3, 3, 3, 4], s: 2, pad: 'same' as const },
    { x: [2, 7, 5, 6, 1], f: [2, 3, 1, 1, 2], s: 1, pad: 'valid' as const },
  ];
  for (const [i, c] of cases.entries()) {
    const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv3d(x as T5, w as T5, c.s, c.pad);
    const inputs = [randn(c.x, 70 + i), randn(c.f, 80 + i)];
    const label = `conv3d x${c.x} f${c.f} s${c.s} ${c.pad}`;
    await compareWithCpu(t, label, conv, inputs, ['Conv3D']);
    await compareWithCpu(t, `${label} grads`, gradsOf(conv), inputs, ['Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2']);
  }
});

test('reordered weights are reused only while the weights stay the same array', { skip: nativeSkip }, async (t) => {
  // Same conv geometry with weights A, A, B, B, A, B (input gradients likewise): weights seen
  // again are kept reordered per array; every result must still use its own weights.
  const seq = (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => {
    const conv = (w: tf.Tensor) => tf.conv2d(x as T4, w as T4, 1, 'same');
    const dx = (w: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as T4, w as T4, 1, 'same'), x)))(x);
    return [a, a, b, b, a, b].flatMap((w) => [conv(w), dx(w)]);
  };
  await compareWithCpu(t, 'conv A, A, B, B, A, B', seq, [randn([2, 8, 8, 16], 1), randn([3, 3, 16, 16], 2), randn([3, 3, 16, 16], 3)], ['Conv2D', 'Conv2DBackpropInput']);
});
