import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { nativeKernelHits } from '../../src/backend/native-addon.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

type Pad = 'same' | 'valid' | number;
type Round = 'floor' | 'round' | 'ceil' | undefined;
interface Case { shape: number[]; f: number[]; s: number[]; pad: Pad; round?: Round }

/** 1D-style (1xk, kx1), square odd/even pools, strides 1-3, explicit pads with rounding, batch 1-3. */
const CASES_2D: Case[] = [
  { shape: [2, 64, 1, 16], f: [2, 1], s: [2, 1], pad: 'valid' },
  { shape: [3, 9, 1, 4], f: [2, 1], s: [2, 1], pad: 'same' },
  { shape: [3, 1, 11, 3], f: [1, 3], s: [1, 2], pad: 'same' },
  { shape: [2, 9, 8, 3], f: [2, 2], s: [2, 2], pad: 'valid' },
  { shape: [2, 9, 8, 3], f: [3, 3], s: [2, 2], pad: 'same' },
  { shape: [2, 9, 8, 3], f: [3, 3], s: [1, 1], pad: 'same' },
  { shape: [1, 7, 7, 5], f: [2, 2], s: [2, 2], pad: 'same' },
  { shape: [3, 9, 8, 3], f: [3, 2], s: [2, 3], pad: 'same' },
  { shape: [1, 11, 11, 2], f: [5, 5], s: [3, 3], pad: 'valid' },
  { shape: [2, 10, 9, 33], f: [2, 3], s: [1, 2], pad: 'valid' },
  { shape: [2, 18, 18, 64], f: [3, 3], s: [2, 2], pad: 'valid' }, // resnet's max-pool (after its explicit pad)
  { shape: [3, 9, 6, 3], f: [3, 3], s: [2, 2], pad: 1, round: 'ceil' },
  { shape: [1, 8, 7, 2], f: [3, 2], s: [2, 2], pad: 1, round: 'round' },
];

const CASES_3D: Case[] = [
  { shape: [2, 4, 6, 6, 3], f: [2, 2, 2], s: [2, 2, 2], pad: 'valid' },
  { shape: [1, 5, 7, 6, 4], f: [3, 3, 3], s: [2, 2, 2], pad: 'same' },
  { shape: [2, 4, 5, 5, 2], f: [2, 1, 3], s: [1, 1, 2], pad: 'same' },
  { shape: [1, 6, 5, 4, 17], f: [3, 2, 2], s: [3, 1, 2], pad: 'valid' },
];

const describe = (c: Case) => `${c.shape.join('x')} pool ${c.f.join('x')} stride ${c.s.join('x')} ${c.pad}${c.round ? ` ${c.round}` : ''}`;

/**
 * x with many tied values per window (integers in [-2, 2], then half the values clipped to 0
 * as after a ReLU): max pooling's gradient must go to the first maximum like tfjs-cpu.
 */
function tied(shape: number[], seed: number) {
  const d = randn(shape, seed);
  for (let i = 0; i < d.values.length; i++) d.values[i] = Math.max(0, Math.round(d.values[i]));
  return d;
}

function pool(op: 'max' | 'avg', c: Case) {
  return (x: tf.Tensor): tf.Tensor => {
    const pad = c.pad as 'same';
    if (c.shape.length === 5) {
      const [f, s] = [c.f as [number, number, number], c.s as [number, number, number]];
      return op === 'max' ? tf.maxPool3d(x as tf.Tensor5D, f, s, pad, c.round) : tf.avgPool3d(x as tf.Tensor5D, f, s, pad, c.round);
    }
    const [f, s] = [c.f as [number, number], c.s as [number, number]];
    return op === 'max' ? tf.maxPool(x as tf.Tensor4D, f, s, pad, c.round) : tf.avgPool(x as tf.Tensor4D, f, s, pad, c.round);
  };
}

/** [pool(x), d(sum(pool(x) * w))/dx] with fixed pseudo-random w (tfjs' pool gradients ignore dimRoundingMode: values only then). */
function poolAndGrad(op: 'max' | 'avg', c: Case) {
  const p = pool(op, c);
  const weighted = (x: tf.Tensor) => {
    const y = p(x);
    return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));
  };
  return (x: tf.Tensor) => (c.round ? [p(x)] : [p(x), tf.grad(weighted)(x)]);
}

async function runCases(t: test.TestContext, cases: Case[], rank3: boolean) {
  const names = rank3 ? ['MaxPool3D', 'AvgPool3D', 'MaxPool3DGrad', 'AvgPool3DGrad'] : ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad'];
  for (const [i, c] of cases.entries()) {
    const grads = (op: number) => (c.round ? [names[op]] : [names[op], names[op + 2]]);
    await compareWithCpu(t, `max ${describe(c)}`, poolAndGrad('max', c), [randn(c.shape, 10 + i)], grads(0), 1e-6);
    await compareWithCpu(t, `max ${describe(c)} tied`, poolAndGrad('max', c), [tied(c.shape, 30 + i)], grads(0), 1e-6);
    await compareWithCpu(t, `avg ${describe(c)}`, poolAndGrad('avg', c), [randn(c.shape, 50 + i)], grads(1), 1e-6);
  }
}

test('2D max/avg pooling and gradients match cpu, tied maxima included', { skip: nativeSkip }, async (t) => {
  await runCases(t, CASES_2D, false);
});

test('3D max/avg pooling and gradients match cpu, tied maxima included', { skip: nativeSkip }, async (t) => {
  await runCases(t, CASES_3D, true);
});

test('a window entirely in the padding falls back to the cpu kernel', { skip: nativeSkip }, async (t) => {
  // pad 2 with a 2x2 window: the first output row/column sees only padding.
  const before = nativeKernelHits().get('MaxPool') ?? 0;
  const c: Case = { shape: [1, 4, 4, 1], f: [2, 2], s: [2, 2], pad: 2 };
  // -Infinity there, as on cpu (clipped: the comparison takes finite values).
  const clipped = (x: tf.Tensor) => tf.clipByValue(pool('max', c)(x), -1e9, 1e9);
  await compareWithCpu(t, `max ${describe(c)} (cpu fallback)`, clipped, [randn(c.shape, 1)], [], 0);
  assert.equal(nativeKernelHits().get('MaxPool') ?? 0, before);
});
