import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { EcgInfillModel, GaussianInfill, harmonicInfill, linearInfill } from '../../src/explain/infill/index.js';
import { Occlusion } from '../../src/explain/occlusion.js';
import { generateEcgBeats } from '../../src/data/synthetic/index.js';
import { InvalidInputError } from '../../src/errors.js';
import { forEachGap } from '../../src/explain/infill/classical.js';
import { initNodeBackend } from '../../src/backend/node.js';

// wasm with medlens' conv gradient kernels: the autoencoder trains in seconds (minutes on cpu)
test.before(async () => {
  await initNodeBackend();
});

test('forEachGap visits every masked run of every sample and channel with its flat indices', () => {
  // 2 samples x 4 times x 2 channels, flat index (s * 4 + k) * 2 + c
  const mask = new Float32Array(16);
  for (const idx of [2, 4, 7, 9, 11, 13, 15]) mask[idx] = 1; // s0c0: t1-2; s0c1: t3; s1c1: t0-3
  const got: string[] = [];
  forEachGap(mask, 2, 4, 2, (at, i, j) => got.push(`${at(i)}..${at(j - 1)}:${j - i}`));
  assert.deepEqual(got, ['2..4:2', '7..7:1', '9..15:4']);
});

const mse = (a: ArrayLike<number>, b: ArrayLike<number>, mask: ArrayLike<number>) => {
  let s = 0, c = 0;
  for (let i = 0; i < a.length; i++) if (mask[i] > 0.5) { s += (a[i] - b[i]) ** 2; c++; }
  return s / c;
};

test('linear infill: exact on a line, close to a smooth signal, leaves observed samples alone, noise matches the context', () => {
  const t = 64;
  const line = tf.tensor(Float32Array.from({ length: t }, (_, i) => 2 + 0.5 * i), [1, t, 1]);
  const m = new Float32Array(t).fill(1, 20, 30);
  const mask = tf.tensor(m, [1, t, 1]);
  const fill = linearInfill({ noise: 0 })(line, mask).dataSync();
  fill.forEach((v, i) => assert.ok(Math.abs(v - (2 + 0.5 * i)) < 1e-5, `line at ${i}: ${v}`));
  // smooth sine: the interpolation is far closer to the truth than zeros
  const sine = Float32Array.from({ length: t }, (_, i) => 1 + Math.sin((2 * Math.PI * i) / 64));
  const xs = tf.tensor(sine, [1, t, 1]);
  const lin = linearInfill({ noise: 0 })(xs, mask).dataSync();
  assert.ok(mse(lin, sine, m) < 0.01 * mse(new Float32Array(t), sine, m), `linear ${mse(lin, sine, m)} vs zeros ${mse(new Float32Array(t), sine, m)}`);
  for (let i = 0; i < t; i++) if (!m[i]) assert.equal(lin[i], sine[i]);
  // noise level: context of white noise with std 0.2 -> filled residuals have std ~0.2
  const rngVals = Float32Array.from({ length: 4000 }, (_, i) => 0.2 * Math.sqrt(-2 * Math.log((i * 0.6180339 + 0.01) % 1 || 0.5)) * Math.cos(2 * Math.PI * ((i * 0.7548776) % 1)));
  const bigMask = new Float32Array(4000);
  for (let s = 100; s < 3900; s += 200) bigMask.fill(1, s, s + 50);
  const noisy = linearInfill({ seed: 3 })(tf.tensor(rngVals, [1, 4000]), tf.tensor(bigMask, [1, 4000])).dataSync();
  let sq = 0, c = 0;
  for (let s = 100; s < 3900; s += 200) {
    const a = rngVals[s - 1], b = rngVals[s + 50];
    for (let k = s; k < s + 50; k++) { const lineV = a + ((b - a) * (k - s + 1)) / 51; sq += (noisy[k] - lineV) ** 2; c++; }
  }
  const sd = Math.sqrt(sq / c);
  assert.ok(sd > 0.15 && sd < 0.25, `noise std ${sd}`);
  // deterministic from the seed
  assert.deepEqual(Array.from(linearInfill({ seed: 3 })(tf.tensor(rngVals, [1, 4000]), tf.tensor(bigMask, [1, 4000])).dataSync()), Array.from(noisy));
});

test('harmonic infill: linear in 1D, reproduces a harmonic (linear) image and beats zeros on a smooth image', () => {
  const h = 12, w = 12;
  const plane = Float32Array.from({ length: h * w }, (_, i) => 1 + 0.3 * Math.floor(i / w) - 0.2 * (i % w));
  const m = new Float32Array(h * w);
  for (let y = 3; y < 8; y++) for (let x = 4; x < 10; x++) m[y * w + x] = 1;
  const out = harmonicInfill()(tf.tensor(plane, [1, h, w, 1]), tf.tensor(m, [1, h, w, 1])).dataSync();
  out.forEach((v, i) => assert.ok(Math.abs(v - plane[i]) < 1e-3, `plane at ${i}: ${v} vs ${plane[i]}`));
  const blob = Float32Array.from({ length: h * w }, (_, i) => Math.exp(-(((Math.floor(i / w) - 5) ** 2 + ((i % w) - 6) ** 2) / 40)));
  const fill = harmonicInfill()(tf.tensor(blob, [1, h, w, 1]), tf.tensor(m, [1, h, w, 1])).dataSync();
  assert.ok(mse(fill, blob, m) < 0.05 * mse(new Float32Array(h * w), blob, m));
  const sig = Float32Array.from({ length: 20 }, (_, i) => i * i * 0.1);
  const mm = new Float32Array(20).fill(1, 5, 12);
  const f1 = harmonicInfill()(tf.tensor(sig, [1, 20, 1]), tf.tensor(mm, [1, 20, 1])).dataSync();
  const l1 = linearInfill({ noise: 0 })(tf.tensor(sig, [1, 20, 1]), tf.tensor(mm, [1, 20, 1])).dataSync();
  f1.forEach((v, i) => assert.ok(Math.abs(v - l1[i]) < 1e-3));
  // 3D volume runs, and shape/NaN mistakes are caught
  const vol = harmonicInfill()(tf.ones([1, 4, 4, 4, 1]), tf.zeros([1, 4, 4, 4, 1]));
  assert.deepEqual(vol.shape, [1, 4, 4, 4, 1]);
  assert.throws(() => harmonicInfill()(tf.ones([1, 4, 4, 1]), tf.ones([1, 4, 4, 2])), InvalidInputError);
  assert.throws(() => linearInfill()(tf.tensor([[NaN, 1]]), tf.zeros([1, 2])), /NaN/);
  assert.throws(() => linearInfill()(tf.ones([1, 4, 4, 1]), tf.zeros([1, 4, 4, 1])), /harmonicInfill/);
  assert.throws(() => linearInfill({ noise: -1 }), /noise/);
});

test('infill functions plug into occlusion: on a linear model the drop is w x (x - fill)', async () => {
  const t = 16;
  const x = tf.tensor(Float32Array.from({ length: t }, (_, i) => 1 + 0.1 * i), [1, t, 1]);
  const w = Float32Array.from({ length: t }, (_, i) => (i % 3) - 1);
  const fn = (v: tf.Tensor) => tf.reshape(tf.sum(tf.mul(tf.reshape(v, [v.shape[0], t]), tf.tensor1d(w)), 1), [-1, 1]);
  const a = await new Occlusion(fn).attribute(x, { target: 0, window: [4], baseline: linearInfill({ noise: 0 }) });
  // a linear signal is reproduced exactly by interior linear infill -> zero drop inside; edge windows copy the nearest value
  const xv = x.dataSync();
  for (let s = 0; s < t; s += 4) {
    const left = s > 0 ? xv[s - 1] : xv[s + 4], right = s + 4 < t ? xv[s + 4] : xv[s - 1];
    let drop = 0;
    for (let k = s; k < s + 4; k++) drop += w[k] * (xv[k] - (left + ((right - left) * (k - s + 1)) / 5));
    for (let k = s; k < s + 4; k++) assert.ok(Math.abs(a.values[k] - drop) < 1e-4, `window ${s}: ${a.values[k]} vs ${drop}`);
  }
});

test('ECG infill autoencoder: starts as linear interpolation, training reduces the hole error below it; infill keeps observed samples', async (ctx) => {
  const train = generateEcgBeats({ n: 48, seed: 1, fs: 90, noise: 'none' });
  const held = generateEcgBeats({ n: 16, seed: 2, fs: 90, noise: 'none' });
  const ae = EcgInfillModel.create({ filters: 8, layers: 4, kernelSize: 9, seed: 1 });
  const opts = { window: 48, gap: [3, 10] as [number, number], count: 128 };
  const before = ae.evaluate(held, opts);
  // the residual layer starts at zero: the untrained model is linear interpolation
  assert.ok(Math.abs(before.model - before.linear) < 1e-6 * before.linear, `untrained ${before.model} vs linear ${before.linear}`);
  // big batches, few steps: the cost here is per op, not per row (~3 s of CPU)
  const { losses } = await ae.train(train, { window: 48, gap: [3, 10], steps: 60, batchSize: 64, learningRate: 5e-3, seed: 1 });
  const after = ae.evaluate(held, opts);
  assert.equal(losses.length, 60);
  assert.ok(after.model < 0.85 * before.model, `before ${before.model} after ${after.model}`);
  assert.ok(after.model < 0.5 * after.zeros, `model ${after.model} zeros ${after.zeros}`);
  ctx.diagnostic(`held-out hole MSE (mV^2): untrained = linear ${before.model.toFixed(4)}, trained ${after.model.toFixed(4)}, zeros ${after.zeros.toFixed(4)}`);
  const len = held.shape[1];
  const x = tf.tensor(held.x.slice(0, 2 * len), [2, len, 1]);
  const m = new Float32Array(2 * len);
  m.fill(1, 20, 30);
  const y = ae.infill(x, tf.tensor(m, [2, len, 1])).dataSync();
  const xv = x.dataSync();
  for (let i = 0; i < 2 * len; i++) if (!m[i]) assert.equal(y[i], xv[i]);
  assert.throws(() => ae.infill(tf.ones([1, 4, 4, 1]), tf.zeros([1, 4, 4, 1])), /signals/);
  await assert.rejects(ae.train([new Float32Array(10)], { window: 48 }), /fewer than the window/);
  await assert.rejects(ae.train(train, { window: 48, gap: [0, 10] }), /gap/);
  assert.throws(() => EcgInfillModel.fromLayersModel(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] })), /maps \[N, T, 3\]/);
  assert.equal(EcgInfillModel.fromLayersModel(ae.model).model, ae.model);
  ae.dispose();
});

test('Gaussian conditional infill: exact on a sinusoid (a deterministic process), beats linear interpolation on ECG beats', () => {
  const period = 16;
  const train = [Float32Array.from({ length: 2000 }, (_, i) => Math.sin((2 * Math.PI * i) / period))];
  const g = GaussianInfill.fit(train, { maxLag: 64 });
  assert.ok(Math.abs(g.autocov[0] - 0.5) < 0.01 && Math.abs(g.autocov[8] + 0.5) < 0.01, `autocov ${g.autocov[0]} ${g.autocov[8]}`);
  const t = 100;
  const truth = Float32Array.from({ length: t }, (_, i) => 2 + Math.sin((2 * Math.PI * i) / period + 0.3));
  const m = new Float32Array(t).fill(1, 40, 60);
  const fill = g.infill(16)(tf.tensor(truth, [1, t, 1]), tf.tensor(m, [1, t, 1])).dataSync();
  const lin = linearInfill({ noise: 0 })(tf.tensor(truth, [1, t, 1]), tf.tensor(m, [1, t, 1])).dataSync();
  assert.ok(mse(fill, truth, m) < 1e-3, `gaussian ${mse(fill, truth, m)}`);
  assert.ok(mse(lin, truth, m) > 0.3, `linear ${mse(lin, truth, m)}`);
  // ECG beats: fitted on training beats, evaluated on held-out beats with 30-sample holes
  const beats = generateEcgBeats({ n: 40, seed: 1, fs: 180, noise: 'none' });
  const held = generateEcgBeats({ n: 20, seed: 2, fs: 180, noise: 'none' });
  const ge = GaussianInfill.fit(beats, { maxLag: 96 });
  const len = held.shape[1];
  const hm = new Float32Array(held.x.length);
  for (let b = 0; b < 20; b++) hm.fill(1, b * len + 20 + b, b * len + 50 + b);
  const xt = tf.tensor(held.x, [20, len, 1]), mt = tf.tensor(hm, [20, len, 1]);
  const eg = mse(ge.infill()(xt, mt).dataSync(), held.x, hm), el = mse(linearInfill({ noise: 0 })(xt, mt).dataSync(), held.x, hm);
  assert.ok(eg < el, `gaussian ${eg} linear ${el}`);
  // a gap longer than maxLag falls back to linear interpolation
  const long = new Float32Array(t).fill(1, 10, 90);
  const fb = GaussianInfill.fit(train, { maxLag: 32 }).infill()(tf.tensor(truth, [1, t, 1]), tf.tensor(long, [1, t, 1])).dataSync();
  const lb = linearInfill({ noise: 0 })(tf.tensor(truth, [1, t, 1]), tf.tensor(long, [1, t, 1])).dataSync();
  fb.forEach((v, i) => assert.ok(Math.abs(v - lb[i]) < 1e-5));
  assert.throws(() => GaussianInfill.fit([new Float32Array(10).fill(3)]), /constant/);
  assert.throws(() => GaussianInfill.fit(train, { maxLag: 0 }), /maxLag/);
});
