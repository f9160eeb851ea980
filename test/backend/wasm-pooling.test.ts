import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { stockWasmKernel } from '../../src/backend/wasm-kernels/index.js';
import { runStock } from '../../src/backend/wasm-kernels/registry.js';
import { randn, runOn, errors, compareWasmCpu } from './wasm-compare.js';

type Pad = 'same' | 'valid';
interface Pool2DCase { shape: [number, number, number, number]; f: [number, number]; s: [number, number]; pad: Pad | number; round?: 'floor' | 'round' | 'ceil' }

/** 1x2/2x1/1x3/3x1 (maxPooling1d's path), square odd/even pools, strides 1/2/3, batch 1 and 3. */
const POOL2D_CASES: Pool2DCase[] = [
  { shape: [1, 64, 1, 128], f: [2, 1], s: [2, 1], pad: 'valid' }, // the reported ECG case
  { shape: [3, 9, 1, 4], f: [2, 1], s: [2, 1], pad: 'same' },
  { shape: [3, 9, 1, 4], f: [2, 1], s: [1, 1], pad: 'valid' },
  { shape: [1, 1, 11, 3], f: [1, 2], s: [1, 2], pad: 'valid' },
  { shape: [3, 1, 11, 3], f: [1, 2], s: [1, 1], pad: 'same' },
  { shape: [3, 10, 1, 2], f: [3, 1], s: [1, 1], pad: 'same' },
  { shape: [1, 11, 1, 2], f: [3, 1], s: [2, 1], pad: 'valid' },
  { shape: [3, 1, 10, 2], f: [1, 3], s: [1, 2], pad: 'same' },
  { shape: [1, 1, 11, 2], f: [1, 3], s: [1, 1], pad: 'valid' },
  { shape: [3, 6, 6, 3], f: [2, 2], s: [2, 2], pad: 'valid' },
  { shape: [1, 7, 7, 3], f: [2, 2], s: [2, 2], pad: 'same' },
  { shape: [3, 7, 9, 2], f: [3, 3], s: [2, 2], pad: 'same' },
  { shape: [1, 7, 9, 2], f: [3, 3], s: [1, 1], pad: 'valid' },
  { shape: [1, 8, 8, 2], f: [2, 2], s: [1, 1], pad: 'same' },
  { shape: [3, 9, 8, 3], f: [3, 2], s: [2, 3], pad: 'same' },
  { shape: [1, 11, 11, 2], f: [5, 5], s: [3, 3], pad: 'valid' },
  { shape: [3, 9, 6, 3], f: [3, 3], s: [2, 2], pad: 1, round: 'ceil' },
  { shape: [1, 8, 7, 2], f: [3, 2], s: [2, 2], pad: 1, round: 'round' },
];

const describe2d = (c: Pool2DCase) => `${c.shape.join('x')} pool ${c.f.join('x')} stride ${c.s.join('x')} ${c.pad}${c.round ? ` ${c.round}` : ''}`;

/** pool(x) and d(sum(pool(x)*dy))/dx; x optionally rounded to integers, so windows hold tied maxima. */
function poolGrad2D(c: Pool2DCase, op: 'max' | 'avg', seed: number, ties: boolean): tf.Tensor[] {
  const values = randn(c.shape, seed);
  if (ties) for (let i = 0; i < values.length; i++) values[i] = Math.round(values[i]); // many equal values per window
  const x = tf.tensor4d(values, c.shape);
  const pad = c.pad as 'same';
  const pool = (v: tf.Tensor4D) => (op === 'max' ? tf.maxPool(v, c.f, c.s, pad, c.round) : tf.avgPool(v, c.f, c.s, pad, c.round));
  const y = pool(x);
  const dy = tf.tensor(randn(y.shape, seed + 1), y.shape);
  // tfjs-core's MaxPool/AvgPool gradients drop dimRoundingMode (wrong on every backend): values only.
  if (c.round) return [y];
  return [y, tf.grad((v) => tf.sum(tf.mul(pool(v as tf.Tensor4D), dy)))(x)];
}

test.before(async () => {
  await initNodeBackend('wasm');
});

test('the stock wasm MaxPoolGrad and MaxPool3D are replaced and were wrong on 2x1 / 2x1x1 pools', async (t) => {
  assert.ok(stockWasmKernel('MaxPoolGrad'), 'stock MaxPoolGrad remembered');
  assert.notEqual(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc, stockWasmKernel('MaxPoolGrad')?.kernelFunc);
  // Documents the bug being fixed: stock dx for the maxPooling1d geometry vs cpu.
  const c = POOL2D_CASES[0];
  const stock = await runOn('wasm', () => {
    const [y] = poolGrad2D(c, 'max', 1, false);
    const dy = tf.tensor(randn(y.shape, 2), y.shape);
    return runStock('MaxPoolGrad', { dy, input: tf.tensor4d(randn(c.shape, 1), c.shape), output: y }, { filterSize: c.f, strides: c.s, pad: c.pad as 'valid' });
  });
  const cpu = await runOn('cpu', () => poolGrad2D(c, 'max', 1, false)[1]);
  const e = errors(stock[0], cpu[0]);
  t.diagnostic(`stock wasm MaxPoolGrad ${describe2d(c)}: max abs ${e.abs.toExponential(2)}`);
  assert.ok(e.abs > 0.5, 'stock kernel is expected to be wrong here');
  // And stock MaxPool3D on a 2x1x1 pool vs cpu (whose forward matches an independent reference below).
  const pool3d = () => tf.maxPool3d(tf.tensor5d(randn([1, 4, 4, 4, 1], 3), [1, 4, 4, 4, 1]), [2, 1, 1], 1, 'valid');
  const stock3d = await runOn('wasm', () => runStock('MaxPool3D', { x: tf.tensor5d(randn([1, 4, 4, 4, 1], 3), [1, 4, 4, 4, 1]) }, { filterSize: [2, 1, 1], strides: 1, pad: 'valid' }));
  const e3 = errors(stock3d[0], (await runOn('cpu', pool3d))[0]);
  t.diagnostic(`stock wasm MaxPool3D 1x4x4x4x1 pool 2x1x1 stride 1 valid: max abs ${e3.abs.toExponential(2)}`);
  assert.ok(e3.abs > 0.5, 'stock MaxPool3D is expected to be wrong here');
});

test('MaxPool/AvgPool values and gradients match cpu (incl. 1x2, 2x1, 3x1, 1x3)', async (t) => {
  for (const [i, c] of POOL2D_CASES.entries()) {
    for (const op of ['max', 'avg'] as const) {
      const e = await compareWasmCpu(`${op} ${describe2d(c)}`, () => poolGrad2D(c, op, 10 + i, false), 1e-6);
      t.diagnostic(`${op} ${describe2d(c)}: max abs ${e.abs.toExponential(2)}`);
    }
  }
});

test('MaxPoolGrad routes tied maxima to the first max, as cpu', async (t) => {
  for (const c of [POOL2D_CASES[0], POOL2D_CASES[4], POOL2D_CASES[11], POOL2D_CASES[14]]) {
    const e = await compareWasmCpu(`ties ${describe2d(c)}`, () => poolGrad2D(c, 'max', 7, true), 1e-6);
    t.diagnostic(`ties ${describe2d(c)}: max abs ${e.abs.toExponential(2)}`);
  }
  // Constant input: each window's whole gradient goes to its first (top-left) element.
  const dx = (await runOn('wasm', () => tf.grad((v) => tf.sum(tf.maxPool(v as tf.Tensor4D, [1, 2], [1, 2], 'valid')))(tf.ones([1, 1, 6, 1]))))[0];
  assert.deepEqual(Array.from(dx), [1, 0, 1, 0, 1, 0]);
});

type Rounding = 'floor' | 'round' | 'ceil';
interface Pool3DCase { shape: [number, number, number, number, number]; f: [number, number, number]; s: [number, number, number]; pad: Pad | number; round?: Rounding }

/** Cubic and non-cubic pools (stock wasm MaxPool3D is wrong on the latter), numeric padding with rounding. */
const POOL3D_CASES: Pool3DCase[] = [
  { shape: [1, 4, 6, 6, 2], f: [2, 2, 2], s: [2, 2, 2], pad: 'valid' },
  { shape: [2, 5, 5, 7, 2], f: [3, 3, 3], s: [2, 2, 2], pad: 'same' },
  { shape: [1, 6, 1, 1, 3], f: [2, 1, 1], s: [2, 1, 1], pad: 'valid' },
  { shape: [3, 3, 4, 5, 2], f: [1, 2, 3], s: [1, 1, 2], pad: 'same' },
  { shape: [1, 5, 4, 6, 1], f: [3, 1, 2], s: [1, 2, 1], pad: 'valid' },
  { shape: [1, 4, 4, 4, 1], f: [1, 1, 2], s: [1, 1, 1], pad: 'valid' },
  { shape: [2, 5, 6, 7, 2], f: [3, 2, 3], s: [2, 2, 2], pad: 1, round: 'ceil' },
  { shape: [1, 6, 5, 4, 2], f: [2, 3, 2], s: [2, 1, 2], pad: 1, round: 'round' },
];

const describe3d = (c: Pool3DCase) => `${c.shape.join('x')} pool ${c.f.join('x')} stride ${c.s.join('x')} ${c.pad}${c.round ? ` ${c.round}` : ''}`;

/** Output length of one pooled axis, as TensorFlow defines it. */
function outLength(len: number, f: number, s: number, pad: Pad | number, round?: Rounding): number {
  if (pad === 'valid') return Math.ceil((len - f + 1) / s);
  if (pad === 'same') return Math.ceil(len / s);
  const v = (len - f + 2 * pad) / s + 1;
  return round === 'ceil' ? Math.ceil(v) : round === 'round' ? Math.round(v) : Math.floor(v);
}

/** Independent reference for max pool 3d (values) and its input gradient (no ties in x). */
function maxPool3DReference(x: Float32Array, c: Pool3DCase, dy: Float32Array): { y: Float32Array; dx: Float32Array } {
  const [n, d, h, w, ch] = c.shape;
  const dims = [d, h, w];
  const out = dims.map((len, k) => outLength(len, c.f[k], c.s[k], c.pad, c.round));
  const before = dims.map((len, k) => (typeof c.pad === 'number' ? c.pad : c.pad === 'valid' ? 0 : Math.floor(Math.max(0, (out[k] - 1) * c.s[k] + c.f[k] - len) / 2)));
  const at = (b: number, z: number, y: number, xx: number, k: number) => (((b * d + z) * h + y) * w + xx) * ch + k;
  const y = new Float32Array(n * out[0] * out[1] * out[2] * ch);
  const dx = new Float32Array(x.length);
  let o = 0;
  for (let b = 0; b < n; b++) for (let oz = 0; oz < out[0]; oz++) for (let oy = 0; oy < out[1]; oy++) for (let ox = 0; ox < out[2]; ox++) {
    for (let k = 0; k < ch; k++, o++) {
      const inWindow: number[] = [];
      for (let kz = 0; kz < c.f[0]; kz++) for (let ky = 0; ky < c.f[1]; ky++) for (let kx = 0; kx < c.f[2]; kx++) {
        const z = oz * c.s[0] - before[0] + kz, yy = oy * c.s[1] - before[1] + ky, xx = ox * c.s[2] - before[2] + kx;
        if (z >= 0 && z < d && yy >= 0 && yy < h && xx >= 0 && xx < w) inWindow.push(at(b, z, yy, xx, k));
      }
      const best = inWindow.reduce((p, q) => (x[q] > x[p] ? q : p));
      y[o] = x[best];
      dx[best] += dy[o];
    }
  }
  return { y, dx };
}

test('MaxPool3D, MaxPool3DGrad and AvgPool3DGrad are correct on wasm (incl. non-cubic pools)', async (t) => {
  for (const [i, c] of POOL3D_CASES.entries()) {
    const xv = randn(c.shape, 40 + i);
    const pad = c.pad as 'same';
    const pool = (op: 'max' | 'avg') => (v: tf.Tensor) => (op === 'max' ? tf.maxPool3d(v as tf.Tensor5D, c.f, c.s, pad, c.round) : tf.avgPool3d(v as tf.Tensor5D, c.f, c.s, pad, c.round));
    const run = (op: 'max' | 'avg') => () => {
      const x = tf.tensor5d(xv, c.shape);
      const y = pool(op)(x);
      const dy = tf.tensor(randn(y.shape, 50 + i), y.shape);
      return [y, tf.grad((v) => tf.sum(tf.mul(pool(op)(v), dy)))(x)];
    };
    // The cpu backend's MaxPool3DGrad is itself wrong for some anisotropic pools, so max pooling
    // is checked against an independent reference instead.
    const [y, dx] = await runOn('wasm', run('max'));
    const ref = maxPool3DReference(xv, c, randn([y.length], 50 + i));
    const ey = errors(y, ref.y);
    const edx = errors(dx, ref.dx);
    assert.ok(ey.abs === 0 && edx.abs <= 1e-6, `max3d ${describe3d(c)}: y err ${ey.abs}, dx err ${edx.abs}`);
    const ea = await compareWasmCpu(`avg3d ${describe3d(c)}`, run('avg'), 1e-6);
    t.diagnostic(`${describe3d(c)}: max3d y abs ${ey.abs.toExponential(2)} dx abs ${edx.abs.toExponential(2)}, avg3d abs ${ea.abs.toExponential(2)}`);
  }
});

test('MaxPool3DGrad routes tied maxima as cpu does (the last max)', async (t) => {
  const shape: [number, number, number, number, number] = [2, 4, 6, 6, 2];
  const xv = randn(shape, 9).map(Math.round); // many equal values per 2x2x2 window
  const dyv = randn([2, 2, 3, 3, 2], 10);
  const e = await compareWasmCpu('ties 3d', () => tf.grad((v) => tf.sum(tf.mul(tf.maxPool3d(v as tf.Tensor5D, 2, 2, 'valid'), tf.tensor(dyv, [2, 2, 3, 3, 2]))))(tf.tensor5d(xv, shape)), 1e-6);
  t.diagnostic(`ties 3d: max abs ${e.abs.toExponential(2)}`);
  const dx = (await runOn('wasm', () => tf.grad((v) => tf.sum(tf.maxPool3d(v as tf.Tensor5D, [2, 1, 1], [2, 1, 1], 'valid')))(tf.ones([1, 4, 1, 1, 1]))))[0];
  assert.deepEqual(Array.from(dx), [0, 1, 0, 1]);
});

test('gradient of a tiny ECG CNN with maxPooling1d wrt its input matches cpu', async (t) => {
  // The first pool sees a linear conv's output (negative values too): after a ReLU, the stock
  // kernel's misrouted gradients all land where ReLU' = 0 and vanish from the input gradient
  // (but not from Grad-CAM, which reads the gradient at the ReLU output).
  const build = () => {
    const model = tfl.sequential();
    model.add(tfl.layers.conv1d({ inputShape: [64, 3], filters: 8, kernelSize: 5, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
    model.add(tfl.layers.maxPooling1d({ poolSize: 2 }));
    model.add(tfl.layers.conv1d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
    model.add(tfl.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(tfl.layers.globalAveragePooling1d());
    model.add(tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
    return model;
  };
  const run = () => {
    const model = build();
    const x = tf.tensor3d(randn([3, 64, 3], 5), [3, 64, 3]);
    const g = tf.grad((v) => tf.sum(tf.mul(model.apply(v) as tf.Tensor, tf.tensor([1, -2, 0.5, 3]))))(x);
    model.layers.forEach((l) => l.dispose());
    return g;
  };
  const e = await compareWasmCpu('ecg cnn input gradient', run, 1e-5);
  t.diagnostic(`ecg cnn input gradient: max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
});
