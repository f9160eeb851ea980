import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { encodeNpy } from '../../src/cli/npy.js';
import { loadModelFolder } from '../../src/node/models.js';
import { generateEcgBeats } from '../../src/data/synthetic/index.js';
import { standardize } from '../../src/train/preprocess.js';
import { predictLogits, softmaxRows } from '../../src/train/predict.js';
import { sharedData, tmpDir } from '../helpers.js';

/** Runs the CLI in-process, capturing stdout and stderr. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = process.stdout.write.bind(process.stdout);
  const se = process.stderr.write.bind(process.stderr);
  // only capture the CLI's text; the test runner reports through stdout with binary chunks
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((out += s), true) : so(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((err += s), true) : se(s, ...rest))) as typeof process.stderr.write;
  try {
    const code = await runCli(['node', 'medlens', ...args]);
    return { code, out, err };
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
  }
}

const dir = tmpDir();
const trainOut = path.join(dir, 'train');
const tiny = ['--n', '60', '--epochs', '1', '--depth', '1', '--fs', '50', '--backend', 'wasm'];

test('train ecg --synthetic writes model, metrics with per-class F1, report; clears the checkpoint', async () => {
  const r = await cli('train', 'ecg', '--synthetic', ...tiny, '--out', trainOut);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /class\s+precision\s+recall\s+f1/);
  const metrics = JSON.parse(fs.readFileSync(path.join(trainOut, 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.classNames, ['N', 'S', 'V']);
  assert.equal(metrics.f1.length, 3);
  assert.equal(metrics.support.reduce((a: number, b: number) => a + b, 0), 30); // n/4 held out, at least 30
  assert.equal(metrics.history.length, 1);
  const html = fs.readFileSync(path.join(trainOut, 'report.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /class="confusion"/);
  assert.ok(fs.existsSync(path.join(trainOut, 'model', 'medlens.json')));
  assert.ok(!fs.existsSync(path.join(trainOut, 'checkpoint', 'checkpoint.mlckpt')));
  assert.match(r.err, /epoch 1\/1/);
});

test('predict on .npy and .json equals the model run directly on standardised input; CSV output', async () => {
  const { model, metadata } = await loadModelFolder(path.join(trainOut, 'model'));
  const p = metadata.preprocessing;
  const beats = generateEcgBeats({ n: 4, seed: 123, fs: 50, before: p.window!.before, after: p.window!.after });
  const expected = softmaxRows(predictLogits(model, standardize(beats.x, p.mean!, p.std!), beats.shape), 3);
  const npy = path.join(dir, 'beats.npy');
  fs.writeFileSync(npy, encodeNpy(beats.x, beats.shape));
  const r = await cli('predict', '--model', path.join(trainOut, 'model'), '--input', npy, '--out', path.join(dir, 'p.json'), '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  const pred = JSON.parse(fs.readFileSync(path.join(dir, 'p.json'), 'utf8'));
  assert.equal(pred.predictions.length, 4);
  pred.predictions.forEach((row: { probabilities: Record<string, number> }, i: number) => {
    ['N', 'S', 'V'].forEach((c, j) => assert.ok(Math.abs(row.probabilities[c] - expected[i * 3 + j]) < 1e-5));
  });
  // the same beats as nested JSON [N, T] (channel axis added) give the same classes
  const json = path.join(dir, 'beats.json');
  const t = beats.shape[1];
  fs.writeFileSync(json, JSON.stringify(Array.from({ length: 4 }, (_, i) => Array.from(beats.x.subarray(i * t, (i + 1) * t)))));
  const r2 = await cli('predict', '--model', path.join(trainOut, 'model'), '--input', json, '--out', path.join(dir, 'p.csv'), '--backend', 'wasm');
  assert.equal(r2.code, 0, r2.err);
  const csv = fs.readFileSync(path.join(dir, 'p.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'index,class,p_N,p_S,p_V');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[1]), pred.predictions.map((row: { class: string }) => row.class));
  model.dispose();
});

const rec = sharedData('ecg/mitdb/101.hea');
test('predict on a WFDB record classifies every annotated beat with a full window', { skip: rec.skip }, async () => {
  const out = path.join(dir, 'p101.json');
  const r = await cli('predict', '--model', path.join(trainOut, 'model'), '--input', rec.path, '--out', out, '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  const pred = JSON.parse(fs.readFileSync(out, 'utf8')).predictions;
  // 101 has 1865 beats (beat_label_counts.csv); the first and last lack a neighbour for RR
  assert.ok(pred.length > 1850 && pred.length <= 1863, `${pred.length}`);
  assert.equal(typeof pred[0].rPeak, 'number');
  assert.equal(pred[0].annotated, 'N');
});

test('demo --quick writes report.html with curves, confusion matrix, F1 bars, traces and the model', async () => {
  const out = path.join(dir, 'demo');
  const r = await cli('demo', '--quick', '--out', out, '--backend', 'wasm');
  assert.equal(r.code, 0, r.err);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /Training curves/);
  assert.match(html, /F1 per class/);
  assert.match(html, /class="confusion"/);
  assert.equal((html.match(/true [NSV], predicted [NSV]/g) ?? []).length, 12); // 2 traces per class, title + aria-label each
  assert.match(html, /QRS/);
  assert.ok(fs.existsSync(path.join(out, 'model', 'weights.bin')));
  assert.match(html, /What the model looks at \(integrated gradients\)/);
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 6);
  const pngs = fs.readdirSync(path.join(out, 'explanations'));
  assert.equal(pngs.length, 6);
  for (const f of pngs) assert.deepEqual([...fs.readFileSync(path.join(out, 'explanations', f)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

test('user errors print one line and exit with code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['train', 'ecg', '--synthetic', '--arch', 'nope'], /--arch: unknown architecture 'nope'/],
    [['train', 'ecg', '--synthetic', '--arch', 'resnet18', ...tiny], /not an ECG classifier/],
    [['train', 'ecg', '--synthetic', '--epochs', 'ten'], /--epochs: 'ten' must be an integer/],
    [['train', 'ecg', '--synthetic', '--lr', '-1'], /--lr/],
    [['train', 'ecg'], /give --data/],
    [['train', 'ecg', '--data', path.join(dir, 'missing'), '--backend', 'wasm'], /missing: MIT-BIH folder not found/],
    [['predict', '--model', path.join(dir, 'nomodel'), '--input', 'x.npy', '--out', path.join(dir, 'o.json'), '--backend', 'wasm'], /no such model folder/],
    [['predict', '--model', path.join(trainOut, 'model'), '--input', path.join(dir, 'none.npy'), '--out', path.join(dir, 'o.json'), '--backend', 'wasm'], /none\.npy: no such file/],
    [['predict', '--model', path.join(trainOut, 'model'), '--input', 'x.npy', '--out', path.join(dir, 'o.txt')], /--out: .* must end in \.json or \.csv/],
  ];
  fs.writeFileSync(path.join(dir, 'bad.npy'), encodeNpy(new Float32Array(10), [10, 1]));
  cases.push([['predict', '--model', path.join(trainOut, 'model'), '--input', path.join(dir, 'bad.npy'), '--out', path.join(dir, 'o.json'), '--backend', 'wasm'], /do not fit the model input/]);
  for (const [args, pattern] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
    assert.equal(r.err.trim().split('\n').filter((l) => l.startsWith('medlens: error:')).length, 1);
  }
});
