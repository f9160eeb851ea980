/**
 * Micro-benchmark: medlens' composed wasm kernels vs the stock tfjs 4.22 wasm kernels they
 * replace (median ms of several runs), plus timings of other training kernels for reference.
 * Run: node --import tsx bench/wasm-kernels.ts
 */
import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { stockWasmKernel } from '../src/backend/wasm-kernels/index.js';

await initNodeBackend('wasm');

/** Median wall time in ms of `reps` runs of `fn` (after one warm-up). */
function median(fn: () => tf.Tensor | tf.Tensor[], reps = 7): number {
  tf.dispose(fn());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = fn();
    (Array.isArray(out) ? out : [out]).forEach((t) => t.dataSync());
    times.push(performance.now() - t0);
    tf.dispose(out);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Runs the stock wasm kernel `name` directly (the one medlens replaced). */
function stock(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor | tf.Tensor[] {
  const k = stockWasmKernel(name)!;
  const info = k.kernelFunc({ inputs, attrs, backend: tf.engine().backend }) as tf.TensorInfo | tf.TensorInfo[];
  return Array.isArray(info) ? info.map((i) => tf.engine().makeTensorFromTensorInfo(i)) : tf.engine().makeTensorFromTensorInfo(info);
}
const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const r = (shape: number[]): any => tf.randomNormal(shape, 0, 1, 'float32', 3);

const rows: { kernel: string; shape: string; stock: number; medlens: number }[] = [];
function compare(kernel: string, shape: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) {
  rows.push({ kernel, shape, stock: median(() => stock(kernel, inputs, attrs) as tf.Tensor), medlens: median(() => run(kernel, inputs, attrs)) });
}

for (const [n, h, ci, co, k, s] of [[16, 32, 32, 32, 3, 1], [16, 16, 64, 64, 3, 1], [16, 32, 32, 64, 3, 2], [16, 64, 3, 16, 7, 2], [16, 2, 512, 512, 3, 1]]) {
  const oh = Math.ceil(h / s);
  compare('Conv2DBackpropInput', `dy[${n},${oh},${oh},${co}] f${k}x${k}x${ci}x${co} s${s}`, { dy: r([n, oh, oh, co]), filter: r([k, k, ci, co]) }, { strides: [s, s], pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, h, ci] });
}
for (const [a, b, ta, tb] of [[[256, 512], [256, 128], true, false], [[64, 256], [128, 256], false, true], [[48, 65, 64], [48, 65, 64], false, true], [[48, 65, 65], [48, 65, 64], true, false]] as [number[], number[], boolean, boolean][]) {
  compare('BatchMatMul', `${a}x${b} tA=${ta} tB=${tb}`, { a: r(a), b: r(b) }, { transposeA: ta, transposeB: tb });
}
for (const [shape, reps] of [[[16, 65, 1], [1, 1, 192]], [[1, 1, 192], [16, 65, 1]], [[16, 1, 1, 64], [1, 16, 16, 1]]]) {
  compare('Tile', `${shape} reps ${reps}`, { x: r(shape) }, { reps });
}
const seq = r([16, 256, 32]);
rows.push({ kernel: 'Unpack', shape: '[16,256,32] axis 1', stock: median(() => stock('Unpack', { value: seq }, { axis: 1 })), medlens: median(() => tf.unstack(seq, 1)) });
rows.push({ kernel: 'Slice', shape: '[16,256,32] -> [16,1,32]', stock: median(() => stock('Slice', { x: seq }, { begin: [0, 5, 0], size: [16, 1, 32] }) as tf.Tensor), medlens: median(() => tf.slice(seq, [0, 5, 0], [16, 1, 32])) });
const table = rows.map((x) => ({ ...x, stock: +x.stock.toFixed(2), medlens: +x.medlens.toFixed(2), speedup: +(x.stock / x.medlens).toFixed(1) }));
console.table(table);

// Other training kernels (no replacement): forward vs backward cost, for reference.
const x = r([16, 32, 32, 32]);
const dy = r([16, 16, 16, 32]);
const y = tf.maxPool(x, 2, 2, 'same');
const other = {
  'Conv2D fwd 16x32x32x32 3x3x32x32': median(() => tf.conv2d(x, r([3, 3, 32, 32]), 1, 'same')),
  'Conv2DBackpropFilter same shapes': median(() => run('Conv2DBackpropFilter', { x, dy: r([16, 32, 32, 32]) }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 32] })),
  'MaxPool 2x2 fwd': median(() => tf.maxPool(x, 2, 2, 'same')),
  MaxPoolGrad: median(() => run('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'same' })),
  AvgPoolGrad: median(() => run('AvgPoolGrad', { dy, input: x }, { filterSize: 2, strides: 2, pad: 'same' })),
  'Conv3D fwd 2x8x16x16x8 k3': median(() => tf.conv3d(r([2, 8, 16, 16, 8]), r([3, 3, 3, 8, 8]), 1, 'same')),
  'Conv3DBackpropFilterV2': median(() => run('Conv3DBackpropFilterV2', { x: r([2, 8, 16, 16, 8]), dy: r([2, 8, 16, 16, 8]) }, { strides: [1, 1, 1], pad: 'same', filterShape: [3, 3, 3, 8, 8] })),
  'Conv3DBackpropInputV2': median(() => run('Conv3DBackpropInputV2', { dy: r([2, 8, 16, 16, 8]), filter: r([3, 3, 3, 8, 8]) }, { strides: [1, 1, 1], pad: 'same', inputShape: [2, 8, 16, 16, 8] })),
};
console.table(Object.fromEntries(Object.entries(other).map(([k, v]) => [k, +v.toFixed(2)])));
