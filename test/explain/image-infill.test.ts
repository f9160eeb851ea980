import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { ImageInfillModel, drawRandomHole, harmonicInfill } from '../../src/explain/infill/index.js';
import { Occlusion } from '../../src/explain/occlusion.js';
import { learnDeletionMask } from '../../src/explain/deletion-mask.js';
import { generateChestXrays } from '../../src/data/synthetic/index.js';
import { InvalidInputError } from '../../src/errors.js';
import { Rng } from '../../src/util/random.js';
import { initNodeBackend } from '../../src/backend/node.js';

test.before(async () => {
  await initNodeBackend();
});

/** Two 8 x 8 test images [2, 8, 8, 1] with a hole block in each (different places). */
function smallCase(): { x: tf.Tensor; mask: tf.Tensor; m: Float32Array } {
  const x = tf.tensor(Float32Array.from({ length: 128 }, (_, i) => Math.sin(i * 0.37) + 0.01 * i), [2, 8, 8, 1]);
  const m = new Float32Array(128);
  for (let y = 2; y < 5; y++) for (let c = 3; c < 6; c++) m[y * 8 + c] = 1;
  for (let y = 4; y < 8; y++) for (let c = 0; c < 3; c++) m[64 + y * 8 + c] = 1;
  return { x, mask: tf.tensor(m, [2, 8, 8, 1]), m };
}

test('drawRandomHole: a seeded rectangle or ellipse within the size range, inside the image', () => {
  const rng = new Rng(5);
  let rects = 0, ellipses = 0;
  for (let k = 0; k < 200; k++) {
    const m = new Float32Array(16 * 12);
    drawRandomHole(m, 0, 16, 12, [3, 6], rng);
    const ys: number[] = [], xs: number[] = [];
    m.forEach((v, i) => { if (v) { ys.push(Math.floor(i / 12)); xs.push(i % 12); } });
    const hh = Math.max(...ys) - Math.min(...ys) + 1, ww = Math.max(...xs) - Math.min(...xs) + 1;
    assert.ok(hh >= 1 && hh <= 6 && ww >= 1 && ww <= 6, `extent ${hh} x ${ww}`);
    if (ys.length === hh * ww && hh >= 3 && ww >= 3) rects++; else ellipses++;
  }
  // half rectangles, half ellipses (an ellipse of >= 3 x 3 always loses its corners)
  assert.ok(rects > 70 && ellipses > 70, `${rects} rectangles, ${ellipses} ellipses`);
  const a = new Float32Array(64), b = new Float32Array(64);
  drawRandomHole(a, 0, 8, 8, [2, 4], new Rng(9));
  drawRandomHole(b, 0, 8, 8, [2, 4], new Rng(9));
  assert.deepEqual(a, b);
});

test('untrained image infill model equals harmonic infill exactly and leaves observed pixels untouched; leak-free', () => {
  const model = ImageInfillModel.create({ filters: 4, seed: 3 });
  const { x, mask, m } = smallCase();
  const before = tf.memory().numTensors;
  const y = model.infill(x, mask);
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(y.shape, [2, 8, 8, 1]);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(harmonicInfill()(x, mask).dataSync()));
  const xv = x.dataSync(), yv = y.dataSync();
  for (let i = 0; i < 128; i++) if (!m[i]) assert.equal(yv[i], xv[i]);
  // multi-channel images: each channel is infilled on its own (= harmonic fill per channel; === so -0 equals 0)
  const x2 = tf.concat([x, tf.mul(x, -2)], 3), m2 = tf.concat([mask, tf.zerosLike(mask)], 3);
  const y2 = model.infill(x2, m2).dataSync(), h2 = harmonicInfill()(x2, m2).dataSync();
  assert.ok(y2.every((v, i) => v === h2[i]));
  model.dispose();
});

test('trained image infill: held-out hole error well below harmonic fill, far below mean/zeros fill; observed pixels untouched', async (ctx) => {
  const train = generateChestXrays({ n: 64, size: 32, seed: 1 });
  const held = generateChestXrays({ n: 24, size: 32, seed: 2 });
  const model = ImageInfillModel.create({ filters: 8, seed: 1 });
  const holeSize: [number, number] = [6, 12];
  const evalOpts = { count: 64, holeSize, seed: 7 };
  const before = model.evaluate(held, evalOpts);
  assert.ok(Math.abs(before.model - before.harmonic) <= 1e-7 * before.harmonic, `untrained ${before.model} vs harmonic ${before.harmonic}`);
  const tensors = tf.memory().numTensors;
  const events: number[] = [];
  const { losses } = await model.train(train, { steps: 200, batchSize: 16, holeSize, learningRate: 3e-3, seed: 1, onProgress: (e) => events.push(e.done) });
  assert.equal(tf.memory().numTensors, tensors, 'training leaks no tensors');
  assert.equal(losses.length, 200);
  assert.equal(events.length, 200);
  const after = model.evaluate(held, evalOpts);
  ctx.diagnostic(`held-out hole MSE (32 x 32 synthetic CXR, holes ${holeSize}): trained ${after.model.toExponential(3)}, harmonic ${after.harmonic.toExponential(3)}, mean ${after.mean.toExponential(3)}, zeros ${after.zeros.toExponential(3)}`);
  assert.ok(after.model < 0.8 * after.harmonic, `model ${after.model} harmonic ${after.harmonic}`);
  assert.ok(after.model < 0.4 * after.mean && after.model < 0.1 * after.zeros, `model ${after.model} mean ${after.mean} zeros ${after.zeros}`);
  const x = tf.tensor(held.x.slice(0, 2 * 1024), [2, 32, 32, 1]);
  const m = new Float32Array(2048);
  for (let y = 10; y < 18; y++) m.fill(1, y * 32 + 8, y * 32 + 16);
  const yv = model.infill(x, tf.tensor(m, [2, 32, 32, 1])).dataSync(), xv = x.dataSync();
  for (let i = 0; i < 2048; i++) if (!m[i]) assert.equal(yv[i], xv[i]);
  // a trained model reloads through fromLayersModel with identical output
  const again = ImageInfillModel.fromLayersModel(model.model);
  assert.deepEqual(Array.from(again.infill(x, tf.tensor(m, [2, 32, 32, 1])).dataSync()), Array.from(yv));
  model.dispose();
});

test('image infill model plugs into occlusion (known answer untrained) and the deletion mask as the replacement', async () => {
  const model = ImageInfillModel.create({ filters: 4, seed: 2 });
  const w = tf.tensor1d(Float32Array.from({ length: 64 }, (_, i) => ((i * 7) % 5) - 2));
  const fn = (v: tf.Tensor) => tf.reshape(tf.sum(tf.mul(tf.reshape(v, [v.shape[0], 64]), w), 1), [-1, 1]);
  const { x } = smallCase();
  const x0 = tf.slice(x, [0, 0, 0, 0], [1, 8, 8, 1]);
  const a = await new Occlusion(fn).attribute(x0, { target: 0, window: [4, 4], baseline: model.infill });
  assert.equal(a.values.length, 64);
  assert.ok(a.values.every(Number.isFinite));
  assert.ok(a.values.some((v) => v !== 0));
  // untrained, the model is harmonic fill: the same attributions as with harmonicInfill as the baseline
  const b = await new Occlusion(fn).attribute(x0, { target: 0, window: [4, 4], baseline: harmonicInfill() });
  a.values.forEach((v, i) => assert.ok(Math.abs(v - b.values[i]) < 1e-5, `${i}: ${v} vs ${b.values[i]}`));
  // and as the deletion mask's perturbation (a short run: shapes and finiteness)
  const d = await learnDeletionMask(fn, x0, { target: 0, perturbation: model.infill, grid: [2, 2], steps: 3, learningRate: 0.2 });
  assert.deepEqual(d.attribution.shape, [1, 8, 8, 1]);
  assert.ok(d.attribution.values.every(Number.isFinite) && d.deletedScores.every(Number.isFinite));
  model.dispose();
});

test('image infill model rejects bad shapes, masks, options and models', async () => {
  const model = ImageInfillModel.create({ filters: 2 });
  const { x, mask } = smallCase();
  assert.throws(() => model.infill(x, tf.zeros([2, 8, 8, 2])), InvalidInputError);
  assert.throws(() => model.infill(tf.ones([1, 4, 4, 4, 1]), tf.zeros([1, 4, 4, 4, 1])), /images \[N, H, W, C\]/);
  assert.throws(() => model.infill(tf.ones([1, 16, 1]), tf.zeros([1, 16, 1])), /images \[N, H, W, C\]/);
  assert.throws(() => model.infill(tf.ones([1, 7, 8, 1]), tf.zeros([1, 7, 8, 1])), /even/);
  assert.throws(() => model.infill(tf.tensor([NaN, 1, 1, 1], [1, 2, 2, 1]), tf.zeros([1, 2, 2, 1])), /NaN/);
  assert.throws(() => model.infill(x, tf.fill([2, 8, 8, 1], NaN)), InvalidInputError);
  assert.throws(() => model.infill(x, tf.reshape(mask, [2, 64])), InvalidInputError);
  const imgs = { x: new Float32Array(2 * 64), shape: [2, 8, 8, 1] };
  await assert.rejects(model.train({ x: new Float32Array(10), shape: [2, 8, 8, 1] }), /values for shape/);
  await assert.rejects(model.train({ x: new Float32Array(128), shape: [2, 8, 8, 2] }), InvalidInputError);
  await assert.rejects(model.train({ x: new Float32Array(2 * 63), shape: [2, 7, 9] }), /even/);
  await assert.rejects(model.train({ x: new Float32Array(128).fill(NaN), shape: [2, 8, 8] }), /NaN/);
  await assert.rejects(model.train(imgs, { holeSize: [0, 4] }), /holeSize/);
  await assert.rejects(model.train(imgs, { holeSize: [2, 8] }), /holeSize/);
  await assert.rejects(model.train(imgs, { holeSize: [2, 4], batchSize: 0 }), /batchSize/);
  assert.throws(() => model.evaluate(imgs, { holeSize: [2, 4], count: 0 }), /count/);
  assert.throws(() => ImageInfillModel.create({ filters: 0 }), /filters/);
  assert.throws(() => ImageInfillModel.fromLayersModel(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1 })] })), /maps \[N, H, W, 2\]/);
  model.dispose();
});
