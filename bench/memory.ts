/**
 * `npm run bench:memory [-- --json FILE] [--batch 8] [--optimizer sgd|adam] [--backends native,wasm] [--no-torch] [--timeout 300]`
 *
 * Peak memory of ONE ResNet-50 training step (224x224x3 input, 1000 classes, softmax
 * cross-entropy) per medlens backend and in PyTorch CPU (torchvision resnet50, threads as
 * bench/common.ts's TORCH_THREAD_ENV, bench/torch_memory.py). Each runs in a fresh child process
 * that reports its resident set after the model build (baseline) and its peak (VmHWM) after
 * the step. The wasm backend's heap only grows, so its peak is the heap high-water mark plus
 * the runtime. A backend whose child runs out of memory at a batch (e.g. wasm's 4 GiB heap) is
 * retried at half the batch down to 1; ratios compare with torch at the same batch.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { buildModel } from '../src/models/zoo.js';
import { writeFileAtomic } from '../src/node/fs.js';
import { flagValue, runTorchScript } from './common.js';
import { selfRssMiB } from './proc-status.js';
import { trackTensorMemory, type MemoryBreakdown } from './tensor-memory.js';

const INPUT_SHAPE = [224, 224, 3];
const NUM_CLASSES = 1000;

/**
 * What one child reports; wasm_heap_mib: size of the wasm backend's heap after the step;
 * breakdown: tensor memory (tfjs children, tensor-memory.ts; torch: torch_memory.py's own fields);
 * pool: the native backend's output-buffer pool counters.
 */
interface ChildResult {
  baseline_mib: number; peak_mib: number; step_s: number; threads?: number; wasm_heap_mib?: number;
  breakdown?: Partial<MemoryBreakdown> & { params_mib?: number; grads_mib?: number };
  pool?: { hits: number; misses: number; peakHeldBytes: number };
}

/** Size of the active wasm backend's (grow-only) heap, MiB; undefined on other backends. */
function wasmHeapMiB(): number | undefined {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.length / 2 ** 20 : undefined;
}

/** One table row; ratio = peak / torch peak at the same batch; live_mib: live tensor data at the peak (tfjs). */
interface Row { backend: string; batch: number; baseline_mib: number; peak_mib: number; live_mib: number | null; step_s: number; ratio: number | null; breakdown?: ChildResult['breakdown'] }

/** Child mode: build ResNet-50 on `backend`, run one training step, write a ChildResult to `out`. */
async function child(backend: string, batch: number, optimizerName: string, out: string): Promise<void> {
  const { threads } = await initNodeBackend(backend);
  const model = buildModel('resnet50', { inputShape: INPUT_SHAPE, numClasses: NUM_CLASSES, seed: 0 });
  const x = tf.randomNormal([batch, ...INPUT_SHAPE], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % NUM_CLASSES), 'int32'), NUM_CLASSES);
  const optimizer = optimizerName === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(0.01);
  const baseline = selfRssMiB().rss;
  const pool = (tf.backend() as { float32Pool?: { getStats(): { hits: number; misses: number; peakHeldBytes: number; heldBytes: number } } }).float32Pool;
  const tracker = trackTensorMemory(pool && (() => pool.getStats().heldBytes));
  // the phase of the peak: forward, backward, or the optimizer's update
  const computeGradients = optimizer.computeGradients.bind(optimizer);
  optimizer.computeGradients = (f, varList) => {
    const g = computeGradients(f, varList);
    tracker.setPhase('update');
    return g;
  };
  const t0 = performance.now();
  try {
    const loss = optimizer.minimize(() => {
      const l = tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      tracker.forwardDone();
      return l;
    }, true);
    loss!.dataSync();
  } catch (e) {
    const heap = wasmHeapMiB();
    // wasm32 heaps stop at 4 GiB; say how full it was so an abort reads as out-of-memory or not
    throw new Error(`${(e as Error).message.split('\n')[0]}${heap === undefined ? '' : ` (wasm heap ${heap.toFixed(0)} MiB, wasm32 max 4096 MiB)`}`);
  }
  const stepS = (performance.now() - t0) / 1000;
  const stats = pool?.getStats();
  const result: ChildResult = {
    baseline_mib: baseline, peak_mib: selfRssMiB().peak, step_s: stepS, threads, wasm_heap_mib: wasmHeapMiB(), breakdown: tracker.result(),
    pool: stats && { hits: stats.hits, misses: stats.misses, peakHeldBytes: stats.peakHeldBytes },
  };
  writeFileAtomic(out, JSON.stringify(result));
}

/** Lines explaining a child's peak: live tensors at it and what they were, the rest of RSS, the pool. */
function explainPeak(r: ChildResult): string[] {
  const b = r.breakdown;
  if (!b) return [];
  const f = (v: number | undefined) => (v ?? NaN).toFixed(0);
  if (b.peak_live_mib === undefined) {
    // torch: parameters, gradients and what autograd saved, from torch_memory.py
    return [`  params ${f(b.params_mib)} MiB, grads ${f(b.grads_mib)} MiB, saved for backward ${f(b.saved_mib)} MiB; RSS peak - baseline ${f(r.peak_mib - r.baseline_mib)} MiB`];
  }
  const lines = [
    `  live tensors at peak ${f(b.peak_live_mib)} MiB (${b.peak_phase}): ${f(b.peak_preexisting_mib)} params+input, ${f(b.peak_saved_mib)} kept for backprop, ${f(b.peak_other_mib)} gradients/temporaries;` +
      ` V8 ArrayBuffers peak ${f(b.peak_array_buffers_mib)} MiB (live + pooled + garbage), V8 heap peak ${f(b.peak_v8_heap_mib)} MiB;` +
      ` RSS peak - live tensors ${f(r.peak_mib - b.peak_live_mib!)} MiB (runtime ${f(r.baseline_mib - b.peak_preexisting_mib!)} MiB at baseline, pool, garbage, heap, malloc)`,
    `  kept for backprop after forward ${f(b.saved_mib)} MiB, by producing op: ${Object.entries(b.saved_by_kernel ?? {}).map(([k, v]) => `${k} ${f(v)}`).join(', ')}`,
  ];
  if (r.pool) lines.push(`  output pool: ${r.pool.hits} reused, ${r.pool.misses} fresh, ${f(b.pool_at_peak_mib)} MiB held at the peak, at most ${f(r.pool.peakHeldBytes / 2 ** 20)}`);
  return lines;
}

/** Runs one child (node for a medlens backend, python for torch); the result or why it failed. */
function runChild(backend: string, batch: number, optimizer: string, timeoutS: number, dir: string): ChildResult | string {
  const out = path.join(dir, `${backend}-${batch}.json`);
  if (backend === 'torch') {
    const failed = runTorchScript('torch_memory.py', ['--json', out, '--batch', String(batch), '--optimizer', optimizer]);
    if (failed) return failed;
  } else {
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', backend, '--batch', String(batch), '--optimizer', optimizer, '--out', out];
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'], timeout: timeoutS * 1000 });
    if (r.status !== 0) {
      // the error line, not Node's trailing version line or a minified source line
      const lines = r.stderr?.toString().split('\n').filter((l) => l.trim() && l.length < 300) ?? [];
      const err = lines.filter((l) => /Error|Abort/.test(l)).pop() ?? lines.pop() ?? '';
      return r.signal ? `killed by ${r.signal}${r.signal === 'SIGTERM' ? ` (over --timeout ${timeoutS} s?)` : ''}` : `exit ${r.status}: ${err}`;
    }
  }
  if (!fs.existsSync(out)) return 'no output';
  return JSON.parse(fs.readFileSync(out, 'utf8')) as ChildResult;
}

/** Runs `backend` at `batch`, halving the batch on failure down to 1; notes each failure. */
function runWithFallback(backend: string, batch: number, optimizer: string, timeoutS: number, dir: string, notes: string[]): { batch: number; result: ChildResult } | undefined {
  for (let b = batch; b >= 1; b = Math.floor(b / 2)) {
    const t0 = performance.now();
    const r = runChild(backend, b, optimizer, timeoutS, dir);
    const wall = ((performance.now() - t0) / 1000).toFixed(1);
    if (typeof r !== 'string') {
      const heap = r.wasm_heap_mib === undefined ? '' : `, wasm heap ${r.wasm_heap_mib.toFixed(0)} MiB`;
      console.log(`${backend} batch ${b}: baseline ${r.baseline_mib.toFixed(0)} MiB, peak ${r.peak_mib.toFixed(0)} MiB${heap}, step ${r.step_s.toFixed(2)} s, ${r.threads ?? '?'} threads (child ${wall} s)`);
      for (const line of explainPeak(r)) console.log(line);
      if (heap) notes.push(`${backend} batch ${b}${heap} (grow-only: never returned to the OS)`);
      return { batch: b, result: r };
    }
    notes.push(`${backend} batch ${b} failed after ${wall} s: ${r}`);
    console.log(`note: ${notes[notes.length - 1]}`);
    // only running out of memory is worth a smaller batch (not e.g. a backend that is not built)
    if (!/abort|memory|heap|SIGKILL/i.test(r)) return undefined;
  }
  return undefined;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const batch = Number(flagValue(argv, 'batch') ?? 8);
  const optimizer = flagValue(argv, 'optimizer') ?? 'sgd';
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got ${flagValue(argv, 'batch')}`);
  if (optimizer !== 'sgd' && optimizer !== 'adam') throw new Error(`--optimizer must be sgd or adam, got ${optimizer}`);
  const childBackend = flagValue(argv, 'child');
  if (childBackend) return child(childBackend, batch, optimizer, flagValue(argv, 'out') ?? '');

  const timeoutS = Number(flagValue(argv, 'timeout') ?? 300);
  const backends = (flagValue(argv, 'backends') ?? 'native,wasm').split(',');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medlens-memory-'));
  const notes: string[] = [];
  const measured: { backend: string; batch: number; result: ChildResult }[] = [];
  for (const backend of backends) {
    const r = runWithFallback(backend, batch, optimizer, timeoutS, dir, notes);
    if (r) measured.push({ backend, ...r });
  }
  // torch at every batch a medlens backend ended up at (and the requested one)
  const torchByBatch = new Map<number, ChildResult>();
  if (!argv.includes('--no-torch')) {
    for (const b of [...new Set([batch, ...measured.map((m) => m.batch)])]) {
      const r = runChild('torch', b, optimizer, timeoutS, dir);
      if (typeof r === 'string') notes.push(`torch batch ${b}: ${r}`);
      else {
        torchByBatch.set(b, r);
        measured.push({ backend: 'torch', batch: b, result: r });
        console.log(`torch batch ${b}: baseline ${r.baseline_mib.toFixed(0)} MiB, peak ${r.peak_mib.toFixed(0)} MiB, step ${r.step_s.toFixed(2)} s`);
        for (const line of explainPeak(r)) console.log(line);
      }
    }
  }
  const r1 = (v: number) => +v.toFixed(1);
  const rows: Row[] = measured.map(({ backend, batch: b, result: r }) => {
    const t = torchByBatch.get(b);
    const live = r.breakdown?.peak_live_mib;
    return { backend, batch: b, baseline_mib: r1(r.baseline_mib), peak_mib: r1(r.peak_mib), live_mib: live === undefined ? null : r1(live),
      step_s: +r.step_s.toFixed(2), ratio: t ? +(r.peak_mib / t.peak_mib).toFixed(2) : null, breakdown: r.breakdown };
  });
  console.table(rows.map((r) => ({ backend: r.backend, batch: r.batch, 'baseline MiB': r.baseline_mib, 'peak MiB': r.peak_mib, 'live tensors at peak MiB': r.live_mib ?? '', 'step s': r.step_s, 'peak / torch': r.ratio })));
  console.log(`ResNet-50, ${INPUT_SHAPE.join('x')} input, ${NUM_CLASSES} classes, one ${optimizer} step; peak = VmHWM of a fresh process`);
  for (const n of notes) console.log(`note: ${n}`);
  const json = flagValue(argv, 'json');
  if (json) writeFileAtomic(json, JSON.stringify({ optimizer, notes, rows }, null, 1));
}

await main();
