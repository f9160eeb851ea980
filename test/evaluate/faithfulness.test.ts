import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import {
  deletion, deletionInsertionCurves, evaluate, faithfulnessCorrelation, insertion, irof, monotonicity, pixelFlippingCurves,
  regionPerturbation, road, selectivity,
} from '../../src/evaluate/index.js';
import type { ProgressEvent } from '../../src/progress.js';
import { InvalidInputError } from '../../src/errors.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { linearAttribution, linearModel, positives, reversed, sizeOf } from './fixtures.js';

test('PixelFlipping on a linear model: exact deletion curve, one forward per chunk, no leaks', async () => {
  const shape = [2, 8, 1];
  const w = positives(8, 5), xv = positives(16, 9);
  const { fn, calls } = linearModel(w, 0.25);
  const a = linearAttribution(xv, w);
  const x = tf.tensor(xv, shape);
  const before = tf.memory().numTensors;
  const { fractions, curves, scores } = await pixelFlippingCurves(fn, x, 0, a, { featuresInStep: 1, internalBatchSize: 4 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.deepEqual(fractions, [0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => k / 8));
  for (let i = 0; i < 2; i++) {
    const contrib = Array.from(a.subarray(i * 8, i * 8 + 8)).sort((p, q) => q - p);
    const total = contrib.reduce((p, q) => p + q, 0);
    const expected = fractions.map((_, k) => 0.25 + total - contrib.slice(0, k).reduce((p, q) => p + q, 0));
    assertClose(curves[i], expected, 1e-5, 1e-5);
    let area = 0;
    for (let k = 1; k < 9; k++) area += (expected[k] + expected[k - 1]) / 16;
    assertClose([scores[i]], [area], 1e-5, 1e-5);
  }
  // 1 forward resolving the labels, then 2 samples x 9 copies = 18 rows in chunks of 4 -> 5 forwards.
  assert.equal(calls.n, 6);
  assert.deepEqual(calls.rows, [2, 4, 4, 4, 4, 2]);
  x.dispose();
});

for (const shape of [[3, 16, 2], [3, 6, 6, 1], [2, 3, 4, 4, 1]]) {
  test(`[${shape}]: the true linear attribution beats a reversed and a random ranking`, async () => {
    const size = sizeOf(shape.slice(1));
    const w = positives(size, 2), xv = positives(sizeOf(shape), 4);
    const { fn } = linearModel(w);
    const x = { data: xv, shape };
    const truth = linearAttribution(xv, w), rev = reversed(truth);
    const rng = new Rng(1);
    const random = truth.map(() => rng.next());
    const o = { internalBatchSize: 16, steps: 10 };
    const [dT, dR, dN] = [await deletion(fn, x, 0, truth, o), await deletion(fn, x, 0, rev, o), await deletion(fn, x, 0, random, o)];
    const [iT, iR] = [await insertion(fn, x, 0, truth, o), await insertion(fn, x, 0, rev, o)];
    const [sT, sR] = [await selectivity(fn, x, 0, truth, { cell: shape.slice(1, -1).map(() => 2) }), await selectivity(fn, x, 0, rev, { cell: shape.slice(1, -1).map(() => 2) })];
    const [rT, rR] = [await regionPerturbation(fn, x, 0, truth, { baseline: 0 }), await regionPerturbation(fn, x, 0, rev, { baseline: 0 })];
    const [fT, fR] = [await irof(fn, x, 0, truth), await irof(fn, x, 0, rev)];
    for (let i = 0; i < shape[0]; i++) {
      assert.ok(dT[i] < dN[i] && dN[i] < dR[i], `deletion ${dT[i]} < ${dN[i]} < ${dR[i]}`);
      assert.ok(iT[i] > iR[i], `insertion ${iT[i]} > ${iR[i]}`);
      assert.ok(sT[i] < sR[i], `selectivity ${sT[i]} < ${sR[i]}`);
      assert.ok(rT[i] > rR[i], `AOPC ${rT[i]} > ${rR[i]}`);
      assert.ok(fT[i] > fR[i], `IROF ${fT[i]} > ${fR[i]}`);
    }
    // Deletion + insertion curves of the same ranking with baseline 0 sum to f(x) at every fraction.
    const del = await deletionInsertionCurves('deletion', fn, x, 0, truth, o);
    const ins = await deletionInsertionCurves('insertion', fn, x, 0, truth, o);
    for (let i = 0; i < shape[0]; i++) {
      const fx = del.curves[i][0];
      assertClose(del.curves[i].map((v, k) => v + ins.curves[i][k]), new Array(del.fractions.length).fill(fx), 1e-4, 1e-5);
    }
  });

  test(`[${shape}]: FaithfulnessCorrelation is 1 for the exact linear attribution, near 0 for a random one`, async () => {
    const size = sizeOf(shape.slice(1));
    const w = Float32Array.from(positives(size, 3), (v, j) => (j % 3 === 0 ? -v : v));
    const xv = positives(sizeOf(shape), 6);
    const { fn } = linearModel(w, 1);
    const x = { data: xv, shape };
    const truth = linearAttribution(xv, w);
    const rng = new Rng(5);
    const random = truth.map(() => rng.normal());
    const good = await faithfulnessCorrelation(fn, x, 0, truth, { nrRuns: 50, subsetSize: 4, seed: 2 });
    assertClose(good, new Array(shape[0]).fill(1), 1e-4);
    const bad = await faithfulnessCorrelation(fn, x, 0, random, { nrRuns: 200, subsetSize: 4, seed: 2 });
    for (const v of bad) assert.ok(Math.abs(v) < 0.35, `random correlation ${v}`);
  });
}

test('Monotonicity: 1 when every reveal raises the score, 0 when a feature lowers it', async () => {
  const shape = [1, 6, 1];
  const xv = positives(6, 8);
  const up = linearModel(positives(6, 1));
  assert.deepEqual(Array.from(await monotonicity(up.fn, { data: xv, shape }, 0, linearAttribution(xv, positives(6, 1)), { featuresInStep: 1 })), [1]);
  const wMixed = Float32Array.from([1, -1, 1, 1, 1, 1]);
  const mixed = linearModel(wMixed);
  const a = linearAttribution(xv, wMixed).map(Math.abs);
  assert.deepEqual(Array.from(await monotonicity(mixed.fn, { data: xv, shape }, 0, a, { featuresInStep: 1 })), [0]);
});

test('ROAD: removing the relevant block first loses the prediction at once; last keeps it until the end', async () => {
  // 8x8 image, 3x3 block of ones; class 0 wins while the block's mean stays above 0.9.
  const block = new Float32Array(64);
  for (let r = 2; r < 5; r++) for (let c = 3; c < 6; c++) block[r * 8 + c] = 1;
  const fn = (t: tf.Tensor) => tf.tidy(() => {
    const s = tf.sub(tf.div(tf.sum(tf.mul(tf.reshape(t, [t.shape[0], 64]), tf.tensor1d(block)), 1), 9), 0.9);
    return tf.stack([s, tf.zerosLike(s)], 1);
  });
  const x = { data: Float32Array.from([...block, ...block]), shape: [2, 8, 8, 1] };
  const truth = Float32Array.from([...block, ...block], (v, i) => v + (i % 64) * 1e-3);
  const scores = await road(fn, x, 0, Float32Array.from([...truth.subarray(0, 64), ...reversed(truth.subarray(64))]), { seed: 1 });
  // Reversed: even at 90% removed (55 background + 3 block pixels), the only kept values are
  // block ones, so the linear imputation (a harmonic fill) restores 1 everywhere: kept at all levels.
  assertClose(scores, [0, 1], 1e-6);
});

test('progress is reported over samples and typed errors for missing models and bad options', async () => {
  const shape = [20, 4, 1];
  const w = positives(4, 1), xv = positives(80, 2);
  const { fn } = linearModel(w);
  const events: ProgressEvent[] = [];
  await evaluate('PixelFlipping', { model: fn, x: { data: xv, shape }, y: 0, attribution: linearAttribution(xv, w), internalBatchSize: 7, onProgress: (e) => events.push(e) });
  assert.ok(events.length >= 3);
  assert.ok(events.every((e, k) => e.task === 'evaluate:PixelFlipping' && e.total === 20 && (k === 0 || e.done >= events[k - 1].done)));
  assert.equal(events[events.length - 1].done, 20);
  await assert.rejects(deletion(null as never, { data: xv, shape }, 0, xv, {}), (e: unknown) => e instanceof InvalidInputError && /needs a model/.test(e.message));
  await assert.rejects(deletion(fn, { data: xv, shape }, 0, xv, { steps: 0 }), InvalidInputError);
  await assert.rejects(deletion(fn, { data: xv, shape }, 5, xv, {}), /class index 5/);
  await assert.rejects(deletion(fn, { data: xv, shape }, [0, 1], xv, {}), /2 labels for 20 samples/);
});

test('a tfjs LayersModel works like the same function; a constant map has no defined correlation; wrong input shapes throw', async () => {
  const { tfl } = await import('../../src/backend/tf.js');
  const w = positives(6, 3), xv = positives(12, 4);
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 2, name: 'lin' })] });
  m.layers[0].setWeights([tf.tensor2d(Array.from(w, (v) => [v, -v])), tf.tensor1d([0, 0])]);
  const { fn } = linearModel(w);
  const x = { data: xv, shape: [2, 6] };
  const a = linearAttribution(xv, w);
  assertClose(await deletion(m, x, 0, a, { steps: 6 }), await deletion(fn, x, 0, a, { steps: 6 }), 1e-5);
  const flat = await faithfulnessCorrelation(fn, x, 0, new Float32Array(12).fill(1), { nrRuns: 10, subsetSize: 2 });
  assert.ok(flat.every(Number.isNaN), 'equal relevance sums: correlation undefined (NaN)');
  await assert.rejects(deletion(m, { data: new Float32Array(14), shape: [2, 7] }, 0, new Float32Array(14), {}), InvalidInputError);
});
