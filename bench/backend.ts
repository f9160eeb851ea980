/**
 * `npm run bench:backend [-- --json FILE] [--models a,b] [--backends wasm,cpu,native] [--reps N] [--no-torch]`
 *
 * Times the zoo's nets in tfjs on each available backend and in PyTorch CPU (Debian
 * python3-torch, threads as bench/common.ts's TORCH_THREAD_ENV; bench/torch_backend.py rebuilds the same architectures):
 * forward, input gradient and one SGD training step, batch 16; prints medians (and minima, which
 * a busy shared machine disturbs less) and tfjs/torch ratios. The cpu backend only runs the small nets (others are skipped with a note).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { writeFileAtomic } from '../src/node/fs.js';
import { buildModel, trainableParamCount, type ModelArch } from '../src/models/index.js';
import { runTorchScript, timeMs, type Timing } from './common.js';

const BATCH = 16;
/** The nets and their input shapes (images 64 px, ECG 256 samples x 1 lead). */
const SPECS: Record<string, { inputShape: number[]; numClasses: number }> = {
  cnn64: { inputShape: [64, 64, 3], numClasses: 10 },
  resnet18: { inputShape: [64, 64, 3], numClasses: 10 },
  densenet121: { inputShape: [64, 64, 3], numClasses: 10 },
  'vit-tiny': { inputShape: [64, 64, 3], numClasses: 10 },
  'ecg-lstm': { inputShape: [256, 1], numClasses: 5 },
};
/** Nets small enough for the pure-JS cpu backend (cnn64 took over 30 s per forward pass). */
const CPU_OK = new Set(['ecg-lstm']);
const OPS = ['forward', 'inputgrad', 'train'] as const;
type Op = (typeof OPS)[number];

/** One result; *_ms are medians, *_min_ms minima (less sensitive to a busy shared machine). */
interface Row {
  model: string;
  op: Op;
  backend: string;
  medlens_ms: number;
  torch_ms: number | null;
  ratio: number | null;
  medlens_min_ms: number;
  torch_min_ms: number | null;
  ratio_min: number | null;
}

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    json: get('json'),
    models: (get('models') ?? Object.keys(SPECS).join(',')).split(','),
    backends: get('backends')?.split(','),
    reps: Number(get('reps') ?? 5),
    torch: !argv.includes('--no-torch'),
  };
}

/** Times forward / input gradient / SGD step of one net on the active backend. */
function timeNet(arch: string, reps: number): { ms: Record<Op, Timing>; params: number } {
  const spec = SPECS[arch];
  const model = buildModel(arch as ModelArch, { ...spec, seed: 1 });
  const x = tf.randomNormal([BATCH, ...spec.inputShape], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses);
  const optimizer = tf.train.sgd(0.01);
  const logits = (inp: tf.Tensor, training: boolean) => model.apply(inp, { training }) as tf.Tensor;
  const ops: Record<Op, () => void> = {
    // tidy must not return the typed array: tfjs would walk its 196k elements as a container.
    forward: () => tf.tidy(() => { logits(x, false).dataSync(); }),
    inputgrad: () => tf.tidy(() => { tf.grad((inp: tf.Tensor) => tf.sum(tf.slice(logits(inp, false), [0, 0], [-1, 1])))(x).dataSync(); }),
    train: () => {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x, true)) as tf.Scalar, true);
      loss!.dataSync();
      loss!.dispose();
    },
  };
  const ms = {} as Record<Op, Timing>;
  for (const op of OPS) ms[op] = timeMs(ops[op], reps);
  const params = trainableParamCount(model);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { ms, params };
}

/** Runs bench/torch_backend.py; returns ms by "model/op" and params by model, or a reason. */
function runTorch(models: string[], reps: number): { ms: Map<string, Timing>; params: Map<string, number> } | string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'medlens-bench-')), 'torch.json');
  const specs = Object.fromEntries(models.map((m) => [m, { ...SPECS[m], batch: BATCH }]));
  const failed = runTorchScript('torch_backend.py', ['--json', out, '--specs', JSON.stringify(specs), '--reps', String(reps)]);
  if (failed || !fs.existsSync(out)) return `torch run failed: ${failed ?? 'no output'}`;
  const res = JSON.parse(fs.readFileSync(out, 'utf8')) as { rows: { model: string; op: string; ms: number; min_ms: number; params?: number }[] };
  const ms = new Map<string, Timing>();
  const params = new Map<string, number>();
  for (const row of res.rows) {
    ms.set(`${row.model}/${row.op}`, { median: row.ms, min: row.min_ms });
    if (row.params !== undefined) params.set(row.model, row.params);
  }
  return { ms, params };
}

/** Backends to bench: wasm always, native when it registers, cpu (small nets only). */
async function availableBackends(requested?: string[]): Promise<{ names: string[]; notes: string[] }> {
  const names: string[] = [];
  const notes: string[] = [];
  for (const name of requested ?? ['native', 'wasm', 'cpu']) {
    try {
      await initNodeBackend(name);
      names.push(name);
    } catch (e) {
      notes.push(`${name}: not available (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return { names, notes };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  for (const m of args.models) if (!SPECS[m]) throw new Error(`unknown model '${m}' (known: ${Object.keys(SPECS).join(', ')})`);
  const { names, notes } = await availableBackends(args.backends);
  const torch = args.torch ? runTorch(args.models, args.reps) : 'skipped (--no-torch)';
  if (typeof torch === 'string') notes.push(`torch: ${torch}`);
  const rows: Row[] = [];
  for (const backend of names) {
    await tf.setBackend(backend);
    for (const model of args.models) {
      if (backend === 'cpu' && !CPU_OK.has(model)) {
        notes.push(`cpu: ${model} skipped (too slow on the pure-JS backend)`);
        continue;
      }
      const { ms, params } = timeNet(model, args.reps);
      const torchParams = typeof torch === 'string' ? undefined : torch.params.get(model);
      if (torchParams !== undefined && torchParams !== params) {
        const why = model === 'ecg-lstm' ? ': torch LSTMs have two bias vectors per layer (b_ih, b_hh), Keras one' : '';
        const note = `${model}: parameter counts differ (tfjs ${params}, torch ${torchParams})${why}`;
        if (!notes.includes(note)) notes.push(note);
      }
      for (const op of OPS) {
        const t = typeof torch === 'string' ? undefined : torch.ms.get(`${model}/${op}`);
        const m = ms[op];
        const r2 = (v: number) => +v.toFixed(2);
        rows.push({
          model, op, backend,
          medlens_ms: r2(m.median), torch_ms: t ? r2(t.median) : null, ratio: t ? r2(m.median / t.median) : null,
          medlens_min_ms: r2(m.min), torch_min_ms: t ? r2(t.min) : null, ratio_min: t ? r2(m.min / t.min) : null,
        });
        console.log(`tfjs-${backend} ${model.padEnd(12)} ${op.padEnd(10)} ${m.median.toFixed(2).padStart(9)} ms (min ${m.min.toFixed(2)})`);
      }
    }
  }
  console.table(rows.map((r) => ({
    model: r.model, op: r.op, backend: r.backend, 'tfjs ms': r.medlens_ms, 'torch ms': r.torch_ms, 'tfjs/torch': r.ratio,
    'tfjs min': r.medlens_min_ms, 'torch min': r.torch_min_ms, 'ratio of min': r.ratio_min,
  })));
  for (const n of notes) console.log(`note: ${n}`);
  if (args.json) writeFileAtomic(args.json, JSON.stringify({ batch: BATCH, notes, rows }, null, 1));
}

await main();
