/**
 * Kernel benchmark of the native oneDNN backend: GEMM (with achieved GFLOP/s against this
 * CPU's FP32 peak), 3x3 convolutions forward / input gradient / filter gradient (incl.
 * resnet18's small 8x8 and 4x4 feature maps) and max/avg pooling forward / gradient, on each
 * available tfjs backend next to PyTorch CPU in the same run. Timings are medians; the native
 * best-run GFLOP/s (minimum time) is compared with the peak.
 * Run: node --import tsx bench/native-kernels.ts [--reps N] [--threads N]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { timeMs, TORCH_THREAD_ENV } from './common.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const reps = arg('reps', 7);
const threads = arg('threads', 2);

/** Minimum of each kernel's runs (less disturbed by a busy shared machine than the median). */
const minima: Record<string, number> = {};
let current = '';

/** Median ms of a kernel (result read back and disposed), recording its minimum too. */
function medianMs(fn: () => tf.Tensor | tf.Tensor[]): number {
  const t = timeMs(() => {
    const out = fn();
    for (const x of Array.isArray(out) ? out : [out]) x.dataSync();
    tf.dispose(out);
  }, reps);
  minima[current] = t.min;
  return t.median;
}

/** FP32 peak: cores x clock x FMA lanes (512-bit = 16 floats) x 2 FMA units x 2 flops. */
function peakGflops(): { gflops: number; how: string } {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? os.cpus()[0].speed);
  const ghz = mhz / 1000;
  const lanes = /avx512f/.test(info) ? 16 : 8;
  const n = Math.min(os.cpus().length, threads);
  return { gflops: n * ghz * lanes * 2 * 2, how: `${n} cores x ${ghz.toFixed(2)} GHz x ${lanes} lanes x 2 FMA units x 2` };
}

/** 3x3 'same' convs timed forward / input gradient / filter gradient: [name, N, H, W, Cin, Cout]. */
export const CONV_CASES: [string, number, number, number, number, number][] = [
  ['conv3x3', 16, 32, 32, 64, 64],
  ['r18.l3', 16, 8, 8, 256, 256], // resnet18 at 64 px: layer3 and layer4 feature maps
  ['r18.l4', 16, 4, 4, 512, 512],
];

/** Pools timed forward / gradient: [name, max|avg, N, H, W, C, window, stride]. */
export const POOL_CASES: [string, 'max' | 'avg', number, number, number, number, number, number][] = [
  ['maxpool2', 'max', 16, 64, 64, 32, 2, 2], // cnn64 block 1
  ['maxpool3s2', 'max', 16, 34, 34, 64, 3, 2], // resnet stem (after its explicit pad)
  ['avgpool2', 'avg', 16, 16, 16, 128, 2, 2], // densenet transition 1
];

function kernelTimes(): Record<string, number> {
  const out: Record<string, number> = {};
  const time = (name: string, fn: () => tf.Tensor) => {
    current = name;
    out[name] = medianMs(fn);
  };
  const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  for (const n of [512, 1024]) {
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    time(`gemm${n}`, () => tf.matMul(a, b));
    tf.dispose([a, b]);
  }
  for (const [name, n, h, w, ci, co] of CONV_CASES) {
    const x = tf.randomNormal([n, h, w, ci]) as tf.Tensor4D, f = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
    const dy = tf.randomNormal([n, h, w, co]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
    time(`${name}.fwd`, () => tf.conv2d(x, f, 1, 'same'));
    time(`${name}.bwdInput`, () => run('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape }));
    time(`${name}.bwdFilter`, () => run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }));
    tf.dispose([x, f, dy]);
  }
  for (const [name, op, n, h, w, c, k, st] of POOL_CASES) {
    const x = tf.randomNormal([n, h, w, c]) as tf.Tensor4D;
    const y = op === 'max' ? tf.maxPool(x, k, st, 'valid') : tf.avgPool(x, k, st, 'valid');
    const dy = tf.randomNormal(y.shape);
    const attrs = { filterSize: k, strides: st, pad: 'valid' };
    time(`${name}.fwd`, () => (op === 'max' ? tf.maxPool(x, k, st, 'valid') : tf.avgPool(x, k, st, 'valid')));
    time(`${name}.grad`, () => (op === 'max' ? run('MaxPoolGrad', { dy, input: x, output: y }, attrs) : run('AvgPoolGrad', { dy, input: x }, attrs)));
    tf.dispose([x, y, dy]);
  }
  return out;
}

const flops: Record<string, number> = { gemm512: 2 * 512 ** 3, gemm1024: 2 * 1024 ** 3 };
for (const [name, n, h, w, ci, co] of CONV_CASES) {
  for (const dir of ['fwd', 'bwdInput', 'bwdFilter']) flops[`${name}.${dir}`] = 2 * n * h * w * ci * 9 * co;
}
for (const [name] of POOL_CASES) for (const dir of ['fwd', 'grad']) flops[`${name}.${dir}`] = 0; // memory-bound: no GFLOP/s

const results: Record<string, Record<string, number>> = {};
const nativeMin: Record<string, number> = {};
for (const name of ['native', 'wasm']) {
  try {
    await initNodeBackend(name);
    results[name] = kernelTimes();
    if (name === 'native') Object.assign(nativeMin, minima);
  } catch (e) {
    console.log(`${name}: skipped (${e instanceof Error ? e.message : String(e)})`);
  }
}
try {
  const script = fileURLToPath(new URL('./native_kernels_torch.py', import.meta.url));
  // The torch environment every bench uses (bench/common.ts), with this run's thread count.
  const env = { ...process.env, ...TORCH_THREAD_ENV, OMP_NUM_THREADS: String(threads) };
  results.torch = JSON.parse(execFileSync('/usr/bin/python3', [script, String(threads), String(reps)], { env }).toString());
} catch (e) {
  console.log(`torch: skipped (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
}

const peak = peakGflops();
console.log(`FP32 peak ${peak.gflops.toFixed(0)} GFLOP/s (${peak.how}); medians of ${reps}; shared machine: expect noise`);
const cols = Object.keys(results);
console.log(['kernel'.padEnd(18), ...cols.map((c) => `${c} ms`.padStart(12)), ...cols.map((c) => `${c} GF/s`.padStart(12)), 'native/torch'.padStart(13), 'native best GF/s'.padStart(18), '% of peak'.padStart(10)].join(''));
for (const k of Object.keys(flops)) {
  const ms = cols.map((c) => results[c][k]);
  const ratio = results.native && results.torch ? (results.native[k] / results.torch[k]).toFixed(2) : '-';
  const best = nativeMin[k] && flops[k] ? flops[k] / nativeMin[k] / 1e6 : NaN;
  const gf = (m: number) => (flops[k] ? (flops[k] / m / 1e6).toFixed(1) : '-');
  console.log([k.padEnd(18), ...ms.map((m) => (m === undefined ? '-' : m.toFixed(2)).padStart(12)), ...ms.map((m) => gf(m).padStart(12)), ratio.padStart(13),
    (Number.isNaN(best) ? '-' : best.toFixed(1)).padStart(18), (Number.isNaN(best) ? '-' : `${((100 * best) / peak.gflops).toFixed(0)}%`).padStart(10)].join(''));
}
