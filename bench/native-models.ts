/**
 * Model-level benchmark of the native backend: cnn64 and ecg-lstm (defined here layer for layer
 * like bench/torch_backend.py, until the model zoo lands) forward, input gradient and SGD
 * training step on each available tfjs backend, next to PyTorch CPU (bench/torch_backend.py)
 * in the same run. Medians; the machine is shared, so expect noise.
 * Run: node --import tsx bench/native-models.ts [--reps N] [--backends native,wasm]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, tfl } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';

const argOf = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const reps = Number(argOf('reps', '5'));
const backends = argOf('backends', 'native,wasm').split(',');
const specs = { cnn64: { inputShape: [64, 64, 1], numClasses: 2, batch: 16 }, 'ecg-lstm': { inputShape: [256, 1], numClasses: 5, batch: 16 } };

function cnn64(): tfl.LayersModel {
  const m = tfl.sequential();
  for (let b = 0; b < 4; b++) {
    m.add(tfl.layers.conv2d({ ...(b === 0 ? { inputShape: specs.cnn64.inputShape } : {}), filters: 32 * 2 ** b, kernelSize: 3, padding: 'same', useBias: false }));
    m.add(tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }));
    m.add(tfl.layers.reLU());
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  }
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: specs.cnn64.numClasses }));
  return m;
}

function ecgLstm(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.lstm({ units: 32, inputShape: specs['ecg-lstm'].inputShape, returnSequences: true, recurrentInitializer: 'glorotUniform' }));
  m.add(tfl.layers.lstm({ units: 32, recurrentInitializer: 'glorotUniform' }));
  m.add(tfl.layers.dense({ units: 32, activation: 'relu' }));
  m.add(tfl.layers.dense({ units: specs['ecg-lstm'].numClasses }));
  return m;
}

function medianMs(fn: () => void, warmup = 2): number {
  const times: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const t0 = performance.now();
    fn();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function timeModel(model: tfl.LayersModel, spec: { inputShape: number[]; numClasses: number; batch: number }): Record<string, number> {
  const x = tf.randomNormal([spec.batch, ...spec.inputShape]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: spec.batch }, (_, i) => i % spec.numClasses), 'int32'), spec.numClasses);
  const opt = tf.train.sgd(0.01);
  const out = {
    forward: medianMs(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync())),
    inputgrad: medianMs(() => tf.tidy(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.slice(model.apply(xi) as tf.Tensor, [0, 0], [-1, 1])))(x).dataSync())),
    train: medianMs(() => tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)?.dataSync();
    })),
  };
  tf.dispose([x, labels]);
  return out;
}

const rows: { model: string; op: string; backend: string; ms: number }[] = [];
for (const backend of backends) {
  try {
    await initNodeBackend(backend);
  } catch (e) {
    console.log(`${backend}: skipped (${e instanceof Error ? e.message : String(e)})`);
    continue;
  }
  for (const [name, build] of [['cnn64', cnn64], ['ecg-lstm', ecgLstm]] as const) {
    const model = build();
    try {
      for (const [op, ms] of Object.entries(timeModel(model, specs[name]))) rows.push({ model: name, op, backend, ms });
    } catch (e) {
      console.log(`${backend} ${name}: failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
    model.dispose();
  }
}
try {
  const json = path.join(mkdtempSync(path.join(os.tmpdir(), 'medlens-bench-')), 'torch.json');
  const script = fileURLToPath(new URL('./torch_backend.py', import.meta.url));
  execFileSync('/usr/bin/python3', [script, '--json', json, '--specs', JSON.stringify(specs), '--reps', String(reps), '--threads', argOf('threads', '2')], { stdio: 'ignore' });
  for (const r of JSON.parse(readFileSync(json, 'utf8')).rows as { model: string; op: string; ms: number }[]) rows.push({ ...r, backend: 'torch' });
} catch (e) {
  console.log(`torch: skipped (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
}

const cols = [...new Set(rows.map((r) => r.backend))];
console.log(`medians of ${reps} (ms); shared machine: expect noise`);
console.log(['model'.padEnd(10), 'op'.padEnd(10), ...cols.map((c) => c.padStart(10)), ...cols.filter((c) => c !== 'torch').map((c) => `${c}/torch`.padStart(13))].join(''));
for (const model of Object.keys(specs)) {
  for (const op of ['forward', 'inputgrad', 'train']) {
    const ms = (c: string) => rows.find((r) => r.model === model && r.op === op && r.backend === c)?.ms;
    const torch = ms('torch');
    const cells = cols.map((c) => (ms(c)?.toFixed(1) ?? '-').padStart(10));
    const ratios = cols.filter((c) => c !== 'torch').map((c) => (torch && ms(c) ? (ms(c)! / torch).toFixed(2) : '-').padStart(13));
    console.log([model.padEnd(10), op.padEnd(10), ...cells, ...ratios].join(''));
  }
}
