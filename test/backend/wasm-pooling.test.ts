import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { stockWasmKernel } from '../../src/backend/wasm-kernels/index.js';
import { runStock } from '../../src/backend/wasm-kernels/registry.js';
import { randn, runOn, errors, compareWasmCpu } from './wasm-compare.js';

type Pad = 'same' | 'valid';
interface Pool2DCase { shape: [number, number, number, number]; f: [number, number]; s: [number, number]; pad: Pad }

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
];

const describe2d = (c: Pool2DCase) => `${c.shape.join('x')} pool ${c.f.join('x')} stride ${c.s.join('x')} ${c.pad}`;

/** x (optionally with constant runs, so windows hold tied maxima), dy, and d(sum(pool(x)*dy))/dx. */
function poolGrad2D(c: Pool2DCase, op: 'max' | 'avg', seed: number, ties: boolean): tf.Tensor[] {
  const values = randn(c.shape, seed);
  if (ties) for (let i = 0; i < values.length; i++) values[i] = Math.round(values[i]); // many equal values per window
  const x = tf.tensor4d(values, c.shape);
  const pool = (v: tf.Tensor4D) => (op === 'max' ? tf.maxPool(v, c.f, c.s, c.pad) : tf.avgPool(v, c.f, c.s, c.pad));
  const y = pool(x);
  const dy = tf.tensor(randn(y.shape, seed + 1), y.shape);
  return [y, tf.grad((v) => tf.sum(tf.mul(pool(v as tf.Tensor4D), dy)))(x)];
}

test.before(async () => {
  await initNodeBackend('wasm');
});

test('the stock wasm MaxPoolGrad is replaced and was wrong on a 2x1 pool', async (t) => {
  assert.ok(stockWasmKernel('MaxPoolGrad'), 'stock MaxPoolGrad remembered');
  assert.notEqual(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc, stockWasmKernel('MaxPoolGrad')?.kernelFunc);
  // Documents the bug being fixed: stock dx for the maxPooling1d geometry vs cpu.
  const c = POOL2D_CASES[0];
  const stock = await runOn('wasm', () => {
    const [y] = poolGrad2D(c, 'max', 1, false);
    const dy = tf.tensor(randn(y.shape, 2), y.shape);
    return runStock('MaxPoolGrad', { dy, input: tf.tensor4d(randn(c.shape, 1), c.shape), output: y }, { filterSize: c.f, strides: c.s, pad: c.pad });
  });
  const cpu = await runOn('cpu', () => poolGrad2D(c, 'max', 1, false)[1]);
  const e = errors(stock[0], cpu[0]);
  t.diagnostic(`stock wasm MaxPoolGrad ${describe2d(c)}: max abs ${e.abs.toExponential(2)}`);
  assert.ok(e.abs > 0.5, 'stock kernel is expected to be wrong here');
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

/** Independent reference for the max-pool-3d input gradient ('valid'/'same', no ties in x). */
function maxPool3DGradReference(x: Float32Array, shape: number[], dy: Float32Array, f: number[], s: number[], pad: Pad): Float32Array {
  const [n, d, h, w, c] = shape;
  const dims = [d, h, w];
  const out = dims.map((len, k) => (pad === 'valid' ? Math.ceil((len - f[k] + 1) / s[k]) : Math.ceil(len / s[k])));
  const before = dims.map((len, k) => (pad === 'valid' ? 0 : Math.floor(Math.max(0, (out[k] - 1) * s[k] + f[k] - len) / 2)));
  const at = (b: number, z: number, y: number, xx: number, ch: number) => (((b * d + z) * h + y) * w + xx) * c + ch;
  const dx = new Float32Array(x.length);
  let o = 0;
  for (let b = 0; b < n; b++) for (let oz = 0; oz < out[0]; oz++) for (let oy = 0; oy < out[1]; oy++) for (let ox = 0; ox < out[2]; ox++) {
    for (let ch = 0; ch < c; ch++, o++) {
      const inWindow: number[] = [];
      for (let kz = 0; kz < f[0]; kz++) for (let ky = 0; ky < f[1]; ky++) for (let kx = 0; kx < f[2]; kx++) {
        const z = oz * s[0] - before[0] + kz, y = oy * s[1] - before[1] + ky, xx = ox * s[2] - before[2] + kx;
        if (z >= 0 && z < d && y >= 0 && y < h && xx >= 0 && xx < w) inWindow.push(at(b, z, y, xx, ch));
      }
      const best = inWindow.reduce((p, q) => (x[q] > x[p] ? q : p));
      dx[best] += dy[o];
    }
  }
  return dx;
}

test('MaxPool3DGrad and AvgPool3DGrad are correct on wasm', async (t) => {
  const cases: { shape: number[]; f: [number, number, number]; s: [number, number, number]; pad: Pad }[] = [
    { shape: [1, 4, 6, 6, 2], f: [2, 2, 2], s: [2, 2, 2], pad: 'valid' },
    { shape: [2, 5, 5, 7, 2], f: [3, 3, 3], s: [2, 2, 2], pad: 'same' },
    { shape: [1, 6, 1, 1, 3], f: [2, 1, 1], s: [2, 1, 1], pad: 'valid' },
    { shape: [3, 3, 4, 5, 2], f: [1, 2, 3], s: [1, 1, 2], pad: 'same' },
    { shape: [1, 5, 4, 6, 1], f: [3, 1, 2], s: [1, 2, 1], pad: 'valid' },
  ];
  for (const [i, c] of cases.entries()) {
    const xv = randn(c.shape, 40 + i);
    const label = `${c.shape.join('x')} pool ${c.f.join('x')} stride ${c.s.join('x')} ${c.pad}`;
    const grads = (op: 'max' | 'avg') => () => {
      const x = tf.tensor5d(xv, c.shape as [number, number, number, number, number]);
      const pool = (v: tf.Tensor5D) => (op === 'max' ? tf.maxPool3d(v, c.f, c.s, c.pad) : tf.avgPool3d(v, c.f, c.s, c.pad));
      const shape = pool(x).shape;
      const dy = tf.tensor(randn(shape, 50 + i), shape);
      return tf.grad((v) => tf.sum(tf.mul(pool(v as tf.Tensor5D), dy)))(x);
    };
    // The cpu backend's MaxPool3DGrad is itself wrong for some anisotropic 'same' pools, so max
    // is checked against an independent reference instead.
    const wasmMax = (await runOn('wasm', grads('max')))[0];
    const cpuValues = (await runOn('cpu', () => tf.maxPool3d(tf.tensor5d(xv, c.shape as [number, number, number, number, number]), c.f, c.s, c.pad)))[0];
    const dyShape = tf.tidy(() => {
      const zeros: tf.Tensor = tf.zeros(c.shape);
      return tf.maxPool3d(zeros as tf.Tensor5D, c.f, c.s, c.pad).shape;
    });
    assert.equal(cpuValues.length, dyShape.reduce((a, b) => a * b, 1));
    const ref = maxPool3DGradReference(xv, c.shape, randn(dyShape, 50 + i), c.f, c.s, c.pad);
    const e = errors(wasmMax, ref);
    assert.ok(e.abs <= 1e-6, `max3d ${label}: abs err ${e.abs}`);
    const ea = await compareWasmCpu(`avg3d ${label}`, grads('avg'), 1e-6);
    t.diagnostic(`${label}: max3d abs ${e.abs.toExponential(2)}, avg3d abs ${ea.abs.toExponential(2)}`);
  }
});

test('gradient of a tiny ECG CNN with maxPooling1d wrt its input matches cpu', async (t) => {
  const build = () => {
    const model = tfl.sequential();
    model.add(tfl.layers.conv1d({ inputShape: [64, 3], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
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
