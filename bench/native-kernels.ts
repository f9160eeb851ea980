/**
 * Kernel benchmark of the native oneDNN backend: GEMM (with achieved GFLOP/s against this
 * CPU's FP32 peak) and a 3x3 convolution forward / input gradient / filter gradient, on each
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

function kernelTimes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of [512, 1024]) {
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    current = `gemm${n}`;
    out[current] = medianMs(() => tf.matMul(a, b));
    tf.dispose([a, b]);
  }
  const x = tf.randomNormal([16, 32, 32, 64]) as tf.Tensor4D, w = tf.randomNormal([3, 3, 64, 64]) as tf.Tensor4D;
  const dy = tf.randomNormal([16, 32, 32, 64]);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  current = 'conv3x3.fwd';
  out['conv3x3.fwd'] = medianMs(() => tf.conv2d(x, w, 1, 'same'));
  current = 'conv3x3.bwdInput';
  out['conv3x3.bwdInput'] = medianMs(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor);
  current = 'conv3x3.bwdFilter';
  out['conv3x3.bwdFilter'] = medianMs(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape } as unknown as tf.NamedAttrMap) as tf.Tensor);
  tf.dispose([x, w, dy]);
  return out;
}

const flops: Record<string, number> = {
  gemm512: 2 * 512 ** 3, gemm1024: 2 * 1024 ** 3,
  'conv3x3.fwd': 2 * 16 * 32 * 32 * 64 * 9 * 64, 'conv3x3.bwdInput': 2 * 16 * 32 * 32 * 64 * 9 * 64, 'conv3x3.bwdFilter': 2 * 16 * 32 * 32 * 64 * 9 * 64,
};

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
  const best = nativeMin[k] ? flops[k] / nativeMin[k] / 1e6 : NaN;
  console.log([k.padEnd(18), ...ms.map((m) => m.toFixed(2).padStart(12)), ...ms.map((m) => (flops[k] / m / 1e6).toFixed(1).padStart(12)), ratio.padStart(13),
    best.toFixed(1).padStart(18), `${((100 * best) / peak.gflops).toFixed(0)}%`.padStart(10)].join(''));
}
