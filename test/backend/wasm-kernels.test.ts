import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { registerWasmTrainingKernels, stockWasmKernel, composedConv2DBackpropInput, WASM_TRAINING_KERNELS } from '../../src/backend/wasm-kernels/index.js';
import { randn, compareWasmCpu } from './wasm-compare.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase { n: number; h: number; w: number; ci: number; co: number; k: number; kw?: number; s: number; sw?: number; pad: Pad }

const t4 = (shape: number[], seed: number) => tf.tensor4d(randn(shape, seed), shape as [number, number, number, number]);

/** Conv2D shapes: kernel 1/3/5/7, stride 1/2/3, same/valid/explicit, odd sizes, batch 1 and >1. */
const CONV_CASES: ConvCase[] = [
  { n: 1, h: 5, w: 5, ci: 1, co: 1, k: 1, s: 1, pad: 'valid' },
  { n: 2, h: 7, w: 9, ci: 3, co: 4, k: 3, s: 1, pad: 'same' },
  { n: 2, h: 7, w: 9, ci: 3, co: 4, k: 3, s: 1, pad: 'valid' },
  { n: 3, h: 8, w: 8, ci: 4, co: 5, k: 3, s: 2, pad: 'same' },
  { n: 3, h: 9, w: 11, ci: 4, co: 5, k: 3, s: 2, pad: 'valid' },
  { n: 1, h: 13, w: 10, ci: 2, co: 3, k: 5, s: 3, pad: 'same' },
  { n: 2, h: 13, w: 14, ci: 2, co: 3, k: 5, s: 3, pad: 'valid' },
  { n: 2, h: 16, w: 15, ci: 3, co: 8, k: 7, s: 2, pad: 'same' },
  { n: 2, h: 11, w: 12, ci: 3, co: 2, k: 7, s: 1, pad: 'valid' },
  { n: 4, h: 6, w: 6, ci: 8, co: 6, k: 1, s: 1, pad: 'same' },
  { n: 2, h: 9, w: 9, ci: 5, co: 3, k: 1, s: 2, pad: 'valid' },
  { n: 2, h: 7, w: 8, ci: 3, co: 2, k: 3, kw: 5, s: 2, sw: 1, pad: 'same' },
  { n: 2, h: 9, w: 8, ci: 2, co: 3, k: 3, s: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { n: 1, h: 6, w: 7, ci: 2, co: 2, k: 1, kw: 7, s: 1, pad: [[0, 0], [0, 0], [3, 3], [0, 0]] }, // conv1d-like
];

const describe = (c: ConvCase) => `n${c.n} ${c.h}x${c.w} ci${c.ci} co${c.co} k${c.k}x${c.kw ?? c.k} s${c.s}x${c.sw ?? c.s} ${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

test.before(async () => {
  await initNodeBackend('wasm');
});

test('registration is idempotent and only touches wasm', () => {
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  for (const name of WASM_TRAINING_KERNELS) {
    assert.ok(tf.getKernel(name, 'wasm'), `${name} on wasm`);
  }
  assert.ok(stockWasmKernel('Conv2DBackpropInput'), 'stock kernel remembered');
  assert.equal(stockWasmKernel('Conv2DBackpropFilter'), undefined, 'no stock filter grad on wasm');
  // cpu keeps its own kernels.
  assert.notEqual(tf.getKernel('Conv2DBackpropFilter', 'cpu'), tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

test('Conv2DBackpropInput and Conv2DBackpropFilter match cpu', async (t) => {
  let worst = { abs: 0, rel: 0 };
  for (const [i, c] of CONV_CASES.entries()) {
    const xShape = [c.n, c.h, c.w, c.ci];
    const fShape = [c.k, c.kw ?? c.k, c.ci, c.co];
    const strides: [number, number] = [c.s, c.sw ?? c.s];
    const inputs = () => {
      const x = t4(xShape, 10 + i);
      const f = t4(fShape, 20 + i);
      const dy = t4(tf.conv2d(x, f, strides, c.pad).shape, 30 + i);
      return { x, f, dy };
    };
    const filterGrad = (x: tf.Tensor4D, dy: tf.Tensor4D) =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad: c.pad, dataFormat: 'NHWC', filterShape: fShape }) as tf.Tensor;
    const inputGrad = (dy: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2dTranspose(dy, f, xShape as [number, number, number, number], strides, c.pad as 'same');
    // wasm: the registered kernels plus the composed input gradient without the stock fallback.
    const e = await compareWasmCpu(describe(c), () => {
      const { x, f, dy } = inputs();
      const composed = composedConv2DBackpropInput(dy, f, { strides, pad: c.pad, inputShape: xShape as [number, number, number, number] });
      return [inputGrad(dy, f), composed, filterGrad(x, dy)];
    }, 1e-5, () => {
      const { x, f, dy } = inputs();
      return [inputGrad(dy, f), inputGrad(dy, f), filterGrad(x, dy)];
    });
    t.diagnostic(`${describe(c)}: max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
    worst = { abs: Math.max(worst.abs, e.abs), rel: Math.max(worst.rel, e.rel) };
  }
  t.diagnostic(`conv2d backprop worst: abs ${worst.abs.toExponential(2)} rel ${worst.rel.toExponential(2)}`);
});

test('Conv2D gradients in NCHW match cpu', async (t) => {
  const attrs = { strides: [2, 2] as [number, number], pad: 'same' as const, dataFormat: 'NCHW' as const };
  const inputShape: [number, number, number, number] = [2, 3, 7, 6];
  const run = (composed: boolean) => () => {
    const x = t4([2, 3, 7, 6], 1);
    const dy = t4([2, 4, 4, 3], 2);
    const f = t4([3, 3, 3, 4], 3);
    const kernelDx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape }) as tf.Tensor;
    return [
      kernelDx,
      composed ? composedConv2DBackpropInput(dy, f, { ...attrs, inputShape }) : kernelDx,
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] }) as tf.Tensor,
    ];
  };
  const e = await compareWasmCpu('nchw', run(true), 1e-5, run(false));
  t.diagnostic(`NCHW: max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
});

test('depthwise backprop kernels match cpu (multipliers 1/2, dilation 1/2)', async (t) => {
  const cases = [
    { n: 1, h: 6, w: 6, c: 3, m: 1, k: 3, s: 1, d: 1, pad: 'same' as const },
    { n: 2, h: 7, w: 9, c: 2, m: 2, k: 3, s: 2, d: 1, pad: 'same' as const },
    { n: 3, h: 9, w: 8, c: 4, m: 1, k: 5, s: 2, d: 1, pad: 'valid' as const },
    { n: 2, h: 11, w: 10, c: 3, m: 2, k: 3, s: 1, d: 2, pad: 'same' as const },
    { n: 2, h: 12, w: 13, c: 2, m: 1, k: 3, s: 1, d: 2, pad: 'valid' as const },
    { n: 2, h: 13, w: 12, c: 3, m: 2, k: 7, s: 3, d: 1, pad: 'same' as const },
    { n: 1, h: 8, w: 8, c: 2, m: 2, k: 1, s: 2, d: 1, pad: 'valid' as const },
  ];
  for (const [i, c] of cases.entries()) {
    const label = `n${c.n} ${c.h}x${c.w} c${c.c} m${c.m} k${c.k} s${c.s} d${c.d} ${c.pad}`;
    const xShape = [c.n, c.h, c.w, c.c] as [number, number, number, number];
    const fShape = [c.k, c.k, c.c, c.m] as [number, number, number, number];
    const inputs = () => {
      const x = t4(xShape, 40 + i);
      const f = t4(fShape, 50 + i);
      const dy = t4(tf.depthwiseConv2d(x, f, c.s, c.pad, 'NHWC', c.d).shape, 60 + i);
      return { x, f, dy };
    };
    const run = (x: tf.Tensor4D, f: tf.Tensor4D, dy: tf.Tensor4D, d: number) => {
      const attrs = { strides: [c.s, c.s], dilations: [d, d], pad: c.pad };
      return [
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape }) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }) as tf.Tensor,
      ];
    };
    // The cpu backprop kernels ignore dilation, so the reference for d > 1 is the undilated
    // conv with a zero-dilated filter (same forward map), its filter gradient taken every d taps.
    const reference = () => {
      const { x, f, dy } = inputs();
      if (c.d === 1) return run(x, f, dy, 1);
      const big = (c.k - 1) * c.d + 1;
      const fd = tf.reshape(tf.pad(tf.reshape(f, [c.k, 1, c.k, 1, c.c, c.m]), [[0, 0], [0, c.d - 1], [0, 0], [0, c.d - 1], [0, 0], [0, 0]]), [c.k * c.d, c.k * c.d, c.c, c.m]);
      const fBig = tf.slice(fd, [0, 0, 0, 0], [big, big, c.c, c.m]) as tf.Tensor4D;
      const [dx, dfBig] = run(x, fBig, dy, 1);
      const df = tf.stridedSlice(dfBig, [0, 0, 0, 0], [big, big, c.c, c.m], [c.d, c.d, 1, 1]);
      return [dx, df];
    };
    const e = await compareWasmCpu(label, () => {
      const { x, f, dy } = inputs();
      return run(x, f, dy, c.d);
    }, 1e-5, reference);
    t.diagnostic(`${label}: max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
  }
});

test('BatchMatMul, Tile, Slice, Unpack and SplitV match cpu', async (t) => {
  const shapes: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[96, 20], [96, 30], true, false], // 2D transposes done as 3D ones
    [[20, 40], [30, 40], false, true],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 6, 9], [4, 6, 5], true, false],
    [[2, 3, 6, 9], [2, 3, 5, 9], false, true],
    [[1, 64, 33], [1, 17, 33], false, true],
    [[6, 40, 33], [6, 33, 41], false, false], // per-batch fast path
    [[6, 33, 40], [6, 41, 33], true, true],
    [[2, 3, 40, 33], [33, 41], false, false], // shared right operand
    [[40, 33], [3, 33, 41], false, false], // shared left operand
    [[2, 1, 40, 33], [1, 3, 33, 41], false, false], // two-sided broadcast: stock path
  ];
  for (const [i, [sa, sb, ta, tb]] of shapes.entries()) {
    const label = `matmul ${sa}x${sb} tA=${ta} tB=${tb}`;
    const e = await compareWasmCpu(label, () => tf.matMul(tf.tensor(randn(sa, i), sa), tf.tensor(randn(sb, 100 + i), sb), ta, tb));
    t.diagnostic(`${label}: max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
  }
  const tiles: [number[], number[]][] = [[[3], [4]], [[2, 3], [3, 1]], [[1, 1, 5], [4, 6, 1]], [[4, 6, 1], [1, 1, 5]], [[2, 3, 4], [2, 1, 3]], [[2, 1, 3, 2], [2, 3, 1, 2]], [[3, 2], [1, 1]]];
  for (const [i, [shape, reps]] of tiles.entries()) {
    const e = await compareWasmCpu(`tile ${shape} ${reps}`, () => tf.tile(tf.tensor(randn(shape, 200 + i), shape), reps), 0);
    assert.equal(e.abs, 0);
  }
  for (const [shape, axis] of [[[4, 5, 3], 1], [[4, 5, 3], 2], [[1, 5, 3], 1], [[2, 3], 0], [[2, 6, 1, 3], -2]] as [number[], number][]) {
    const e = await compareWasmCpu(`unstack ${shape} axis ${axis}`, () => tf.unstack(tf.tensor(randn(shape, 7), shape), axis), 0);
    assert.equal(e.abs, 0);
  }
  const slices: [number[], number[], number[]][] = [[[7], [2], [3]], [[4, 5], [1, 2], [2, -1]], [[3, 4, 5], [1, 0, 2], [2, 4, 3]], [[3, 4, 5], [0, 1, 0], [-1, 2, -1]], [[2, 3, 4, 5], [1, 1, 1, 1], [1, 2, 2, 3]], [[2, 3, 4, 5, 2], [0, 1, 2, 0, 1], [2, 1, 2, 5, 1]], [[2, 3], [0, 0], [0, 3]]];
  for (const [shape, begin, size] of slices) {
    const e = await compareWasmCpu(`slice ${shape} ${begin} ${size}`, () => tf.slice(tf.tensor(randn(shape, 9), shape), begin, size), 0);
    assert.equal(e.abs, 0);
  }
  const splits = await compareWasmCpu('split', () => [...tf.split(tf.tensor(randn([4, 10, 3], 5), [4, 10, 3]), [2, 5, 3], 1), ...tf.split(tf.tensor(randn([6, 4], 6), [6, 4]), 3, 0)], 0);
  assert.equal(splits.abs, 0);
  const intSlice = await compareWasmCpu('slice int32', () => tf.cast(tf.slice(tf.tensor([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'), [0, 1], [2, 2]), 'float32'), 0);
  assert.equal(intSlice.abs, 0);
  const ints = await compareWasmCpu('tile int32', () => tf.cast(tf.tile(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), [2, 3]), 'float32'), 0);
  assert.equal(ints.abs, 0);
});
