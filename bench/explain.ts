/**
 * `npm run bench:explain -- [--json FILE] [--quick] [--models a,b] [--no-torch]`
 *
 * Time per explanation (batch 1) of every medlens explainer on resnet18@224, ecg-lstm and
 * ecg-cnn ([256, 1] ECG, 1D CAM rows), next to a hand-written PyTorch CPU reference of the
 * same method (bench/torch_explain.py, computed as Captum / pytorch-grad-cam do) on the SAME
 * weights, exported here as a PyTorch state dict. It is also a correctness check: it asserts
 * that the forward outputs agree (< 1e-3 relative) and that Saliency and Grad-CAM agree
 * (< 1e-2 of the reference's max), and prints the difference of every deterministic method.
 * MEDLENS_BACKEND=wasm|native|cpu forces the tfjs backend (default: the fastest available).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, tfl } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { writeFileAtomic } from '../src/node/fs.js';
import { buildModel, type ModelArch } from '../src/models/index.js';
import { explain, gridSegments } from '../src/explain/index.js';
import { Rng } from '../src/util/random.js';
import { flagValue, medianMsAsync, runTorchScript } from './common.js';
import { decodeBundle, encodeBundle, torchStateDict, type NamedArray } from './weights.js';
import { rowsFor, type BenchRow, type Cost } from './explain-rows.js';

/** The benched nets (batch 1). */
const MODELS: Record<string, { arch: ModelArch; inputShape: number[]; numClasses: number; layer?: string; rename?: Record<string, string> }> = {
  resnet18: { arch: 'resnet18', inputShape: [224, 224, 3], numClasses: 10, layer: 'layer4.1', rename: { logits: 'fc' } },
  'ecg-lstm': { arch: 'ecg-lstm', inputShape: [256, 1], numClasses: 5 },
  'ecg-cnn': { arch: 'ecg-cnn', inputShape: [256, 1], numClasses: 5, layer: 'block4_relu' },
};
/** Agreement asserted for these methods (max |medlens - torch| / max |torch|). */
const ASSERTED: Record<string, number> = { Saliency: 1e-2, GradCAM: 1e-2 };
const FORWARD_TOL = 1e-3;

interface OutRow { model: string; method: string; medlens_ms: number | null; torch_ms: number | null; ratio: number | null }

/**
 * Repeats, warm-up runs and minimum total time (more repeats for fast rows) per cost class;
 * `null` = row skipped. Medium rows follow cheap rows of the same model, so they start warm.
 * --quick runs resnet18's cheap rows after one warm-up, median of 3 (~2 min in all; a
 * single cold run mostly timed JIT compilation and first-touch allocations).
 */
function schedule(cost: Cost, quick: boolean, arch: ModelArch): { reps: number; warmup: number; minMs: number } | null {
  if (quick) {
    if (arch === 'resnet18') return cost === 'cheap' ? { reps: 3, warmup: 1, minMs: 0 } : null;
    return cost === 'heavy' ? null : cost === 'cheap' ? { reps: 3, warmup: 1, minMs: 300 } : { reps: 1, warmup: 0, minMs: 0 };
  }
  if (cost === 'heavy') return { reps: 1, warmup: 0, minMs: 0 };
  return cost === 'cheap' ? { reps: 5, warmup: 1, minMs: 2000 } : { reps: 3, warmup: 0, minMs: 0 };
}

/** Gives BN statistics and biases non-trivial seeded values, so the weight export is really checked. */
function perturbStatistics(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const isBn = layer.getClassName() === 'BatchNormalization';
    const next = ws.map((w, i) => {
      const kernel = !isBn && w.shape.length >= 2;
      if (kernel) return w;
      const scale = isBn && (i === 0 || i === 3); // gamma, moving variance: positive
      const v = Float32Array.from({ length: w.size }, () => (scale ? rng.uniform(0.5, 1.5) : rng.normal(0, 0.1)));
      return tf.tensor(v, w.shape);
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== ws[i] && t.dispose());
  }
}

/** max |a - b| / max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

function medlensOptions(row: BenchRow, sampleShape: number[], target: number, layer?: string): Record<string, unknown> {
  const { cell, ...rest } = row.params as Record<string, unknown> & { cell?: number[] };
  const o: Record<string, unknown> = { ...rest, target };
  if (cell) o.featureMask = gridSegments(sampleShape, cell);
  if (row.family === 'cam') o.layer = layer;
  return o;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const json = flagValue(argv, 'json');
  const names = (flagValue(argv, 'models') ?? Object.keys(MODELS).join(',')).split(',');
  for (const n of names) if (!MODELS[n]) throw new Error(`unknown model '${n}' (known: ${Object.keys(MODELS).join(', ')})`);
  const info = await initNodeBackend();
  const backendLine = `${info.name} (${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  console.log(`medlens backend: ${backendLine}${info.skipped.length ? `; skipped: ${info.skipped.map((s) => `${s.name} (${s.reason.split('\n')[0]})`).join('; ')}` : ''}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medlens-bench-explain-'));
  const arrays: NamedArray[] = [];
  const setups = names.map((name, mi) => {
    const spec = MODELS[name];
    const model = buildModel(spec.arch, { inputShape: spec.inputShape, numClasses: spec.numClasses, seed: 7 + mi });
    perturbStatistics(model, 100 + mi);
    const rng = new Rng(200 + mi);
    const x = tf.tensor(Float32Array.from({ length: spec.inputShape.reduce((a, b) => a * b, 1) }, () => rng.normal()), [1, ...spec.inputShape]);
    const logits = tf.tidy(() => model.predict(x) as tf.Tensor);
    const target = tf.tidy(() => tf.argMax(logits, 1).dataSync()[0]);
    arrays.push(...torchStateDict(model, spec.rename).map((a) => ({ ...a, name: `${name}/${a.name}` })));
    arrays.push({ name: `${name}/input`, shape: x.shape, data: x.dataSync() as Float32Array });
    arrays.push({ name: `${name}/logits`, shape: logits.shape, data: logits.dataSync() as Float32Array });
    const rows = rowsFor(spec.arch).map((r) => ({ ...r, plan: schedule(r.cost, quick, spec.arch) })).filter((r) => r.plan !== null);
    return { name, spec, model, x, logits, target, rows };
  });
  const { header, blob } = encodeBundle(arrays);
  writeFileAtomic(path.join(dir, 'data.json'), header);
  writeFileAtomic(path.join(dir, 'data.bin'), blob);
  const config = {
    models: Object.fromEntries(setups.map((s) => [s.name, {
      arch: s.spec.arch, input_shape: s.spec.inputShape, num_classes: s.spec.numClasses, target: s.target, layer: s.spec.layer,
      rows: s.rows.map((r) => ({ label: r.method, fn: r.torchFn, params: r.params, reps: r.plan!.reps, warmup: r.plan!.warmup, min_ms: r.plan!.minMs })),
    }])),
  };
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config));

  const notes: string[] = [];
  const failures: string[] = [];
  let torch: { forward: Record<string, number>; rows: { model: string; method: string; ms: number }[] } | undefined;
  let torchAttr: Map<string, NamedArray> | undefined;
  if (!argv.includes('--no-torch')) {
    const failed = runTorchScript('torch_explain.py', [dir]);
    if (failed) {
      notes.push(failed);
      failures.push(`no PyTorch reference, nothing checked (${failed}); --no-torch skips it on purpose`);
    } else {
      torch = JSON.parse(fs.readFileSync(path.join(dir, 'torch.json'), 'utf8'));
      torchAttr = decodeBundle(fs.readFileSync(path.join(dir, 'torch_attr.json'), 'utf8'), fs.readFileSync(path.join(dir, 'torch_attr.bin')));
    }
  }

  const out: OutRow[] = [];
  const checks: { model: string; method: string; max_rel_diff: number; asserted: boolean }[] = [];
  for (const s of setups) {
    if (torch) {
      const fwd = torch.forward[s.name];
      console.log(`${s.name}: forward max rel. difference tfjs vs torch ${fwd.toExponential(2)} (limit ${FORWARD_TOL})`);
      if (!(fwd < FORWARD_TOL)) failures.push(`${s.name}: forward outputs differ by ${fwd} (> ${FORWARD_TOL})`);
    }
    for (const r of s.rows) {
      const opts = medlensOptions(r, s.spec.inputShape, s.target, s.spec.layer);
      const { ms, last } = await medianMsAsync(() => explain(s.model, s.x, { method: r.method, ...opts }), r.plan!.reps, r.plan!.warmup, r.plan!.minMs);
      const t = torch?.rows.find((q) => q.model === s.name && q.method === r.method)?.ms ?? null;
      out.push({ model: s.name, method: r.method, medlens_ms: +ms.toFixed(1), torch_ms: t === null ? null : +t.toFixed(1), ratio: t ? +(ms / t).toFixed(2) : null });
      let check = '';
      const ref = torchAttr?.get(`${s.name}/${r.method}`);
      if (ref && r.deterministic) {
        const d = relDiff(last.values, ref.data);
        const limit = ASSERTED[r.method];
        checks.push({ model: s.name, method: r.method, max_rel_diff: d, asserted: limit !== undefined });
        check = `max rel. diff ${d.toExponential(2)}${limit !== undefined ? ` (asserted < ${limit})` : ''}`;
        if (limit !== undefined && !(d < limit)) failures.push(`${s.name} ${r.method}: medlens and torch differ by ${d} (> ${limit})`);
      }
      console.log(`medlens ${s.name.padEnd(9)} ${r.method.padEnd(20)} ${ms.toFixed(1).padStart(10)} ms  ${check}`);
    }
    s.model.dispose();
    tf.dispose([s.x, s.logits]);
  }
  console.log(`\nbackend: tfjs-${backendLine}; torch ${torch ? 'CPU, 2 threads' : 'not run'}; batch 1; medians (${quick ? 'quick' : 'full'} mode)`);
  console.table(out.map((r) => ({ model: r.model, method: r.method, 'medlens ms': r.medlens_ms, 'torch ms': r.torch_ms, 'medlens/torch': r.ratio })));
  for (const n of notes) console.log(`note: ${n}`);
  if (json) writeFileAtomic(json, JSON.stringify({ backend: info.name, quick, notes, checks, rows: out }, null, 1));
  fs.rmSync(dir, { recursive: true, force: true });
  if (failures.length) {
    for (const f of failures) console.error(`AGREEMENT FAILED: ${f}`);
    process.exitCode = 1;
  }
}

await main();
