import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import { Occlusion } from '../../src/explain/occlusion.js';
import { FeatureAblation } from '../../src/explain/feature-ablation.js';
import { ShapleyValueSampling } from '../../src/explain/shapley.js';
import { Lime } from '../../src/explain/lime.js';
import { KernelShap } from '../../src/explain/kernel-shap.js';
import { Rise, riseMasks } from '../../src/explain/rise.js';
import { gridSegments } from '../../src/explain/spatial.js';
import { resolveFeatureMask } from '../../src/explain/perturbation.js';
import { weightedLeastSquares } from '../../src/explain/linear-solve.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { linearFunction, testInput, useCpu } from './fixtures.js';

before(useCpu);

/** Per-feature sum of w*(x - b) spread over a sample's elements. */
function featureSums(xv: ArrayLike<number>, w: number[], ids: Int32Array, b: number): number[] {
  const size = ids.length, out: number[] = [];
  for (let n = 0; n < xv.length / size; n++) {
    const per = new Map<number, number>();
    for (let j = 0; j < size; j++) per.set(ids[j], (per.get(ids[j]) ?? 0) + w[j] * (xv[n * size + j] - b));
    for (let j = 0; j < size; j++) out.push(per.get(ids[j])!);
  }
  return out;
}

test('Occlusion on a linear model: non-overlapping windows give sum of w*(x - b) in the window; one forward per chunk', async () => {
  for (const [shape, window] of [[[2, 6, 2], [2]], [[1, 4, 6, 3], [2, 3]], [[1, 2, 4, 4, 1], [1, 2, 2]]] as const) {
    const { fn, w, calls } = linearFunction(shape.slice(1));
    const x = testInput([...shape]);
    const before = tf.memory().numTensors;
    const a = await new Occlusion(fn).attribute(x, { target: 0, window: [...window], baseline: 0.3, internalBatchSize: 4 });
    assert.equal(tf.memory().numTensors, before, 'no leaks');
    const spatial: number[] = shape.slice(1, -1);
    const windows = spatial.reduce((p: number, d: number, i: number) => p * (d / window[i]), 1);
    const cells = spatial.map((_, i) => window[i]);
    const ids = gridSegments(shape.slice(1), cells);
    assertClose(a.values, featureSums(x.dataSync(), w, ids, 0.3), 1e-4);
    assert.equal(calls.n, 1 + Math.ceil((shape[0] * windows) / 4), 'one forward for the target, then one per chunk');
    assert.ok(calls.rows.slice(1).every((r) => r <= 4));
  }
});

test('Occlusion with overlapping strides averages the window drops; a replacement function acts like its baseline', async () => {
  const { fn, w } = linearFunction([5]);
  const x = testInput([1, 5]);
  const xv = x.dataSync();
  const a = await new Occlusion(fn).attribute(x, { target: 0, window: [3], strides: [1] });
  const sums = [0, 1, 2].map((s) => [0, 1, 2].reduce((acc, k) => acc + w[s + k] * xv[s + k], 0));
  const expected = [0, 1, 2, 3, 4].map((j) => {
    const cover = [0, 1, 2].filter((s) => s <= j && j <= s + 2);
    return cover.reduce((acc, s) => acc + sums[s], 0) / cover.length;
  });
  assertClose(a.values, expected, 1e-5);
  const b2 = await new Occlusion(fn).attribute(x, { target: 0, window: [2], baseline: 2 });
  const f2 = await new Occlusion(fn).attribute(x, { target: 0, window: [2], baseline: (rows) => tf.fill(rows.shape, 2) });
  assertClose(f2.values, b2.values);
  await assert.rejects(new Occlusion(fn).attribute(x, { window: [6] }), InvalidInputError);
  await assert.rejects(new Occlusion(fn).attribute(x, { window: [2, 2, 2] }), InvalidInputError);
  await assert.rejects(new Occlusion(fn).attribute(x, { window: [2], baseline: () => tf.zeros([1]) }), /replacement function returned/);
});

test('FeatureAblation, Shapley sampling, LIME and KernelSHAP are exact on a linear model (grid segments as features)', async () => {
  const shape = [2, 4, 4, 2];
  const { fn, w, calls } = linearFunction(shape.slice(1));
  const x = testInput(shape, 5);
  const featureMask = gridSegments(shape.slice(1), [2, 2]);
  assert.equal(new Set(featureMask).size, 4);
  const expected = featureSums(x.dataSync(), w, featureMask, -0.5);
  const common = { target: 0, baseline: -0.5, featureMask, internalBatchSize: 16 };
  assertClose((await new FeatureAblation(fn).attribute(x, common)).values, expected, 1e-4);
  assert.equal(calls.n, 1 + 1, '2 samples x 4 features = 8 rows: one chunk');
  assertClose((await new ShapleyValueSampling(fn).attribute(x, { ...common, permutations: 3 })).values, expected, 1e-4);
  assertClose((await new Lime(fn).attribute(x, { ...common, samples: 60 })).values, expected, 1e-3);
  assertClose((await new KernelShap(fn).attribute(x, { ...common, samples: 60 })).values, expected, 1e-3);
  // Per-position masks broadcast over channels give the same as the explicit per-element mask.
  const perPos = Array.from({ length: 16 }, (_, p) => featureMask[p * 2]);
  assertClose((await new FeatureAblation(fn).attribute(x, { ...common, featureMask: perPos })).values, expected, 1e-4);
  assert.throws(() => resolveFeatureMask([4, 4, 2], [1, 2, 3]), InvalidInputError);
});

test('Shapley sampling and KernelSHAP on an interaction model: efficiency holds; exact Shapley values recovered', async () => {
  // f = x0 * x1 + x2: Shapley values (baseline 0) are x0x1/2, x0x1/2, x2.
  const fn = (z: tf.Tensor) => {
    const [a, b, c] = tf.split(z, 3, 1);
    return tf.concat([tf.add(tf.mul(a, b), c), tf.zerosLike(a)], 1);
  };
  const x = tf.tensor2d([[2, 3, -1]]);
  const exact = [3, 3, -1];
  const sv = await new ShapleyValueSampling(fn).attribute(x, { target: 0, permutations: 400, seed: 1 });
  assertClose(sv.sums(), [5], 1e-5);
  assertClose(sv.values, exact, 0.35);
  const ks = await new KernelShap(fn).attribute(x, { target: 0, samples: 16, seed: 2 });
  assertClose(ks.sums(), [5], 1e-3);
  assertClose(ks.values, exact, 1e-3, 1e-3);
  // Sampled path (2^12 coalitions > budget): efficiency still holds.
  const g = (z: tf.Tensor) => tf.stack([tf.sum(tf.mul(tf.sin(z), tf.square(z)), 1), tf.sum(z, 1)], 1);
  const x12 = testInput([1, 12], 9);
  const k12 = await new KernelShap(g).attribute(x12, { target: 0, samples: 200, seed: 5 });
  const f12 = Array.from(x12.dataSync()).reduce((s, v) => s + Math.sin(v) * v * v, 0);
  assertClose(k12.sums(), [f12], 1e-3, 1e-3);
});

test('RISE: masks keep about p of the cells, are seeded, and saliency equals the score-weighted mean of the same seeded masks', async () => {
  const m = Array.from(tf.tidy(() => riseMasks([16, 16], 200, 4, 0.3, new Rng(1)).dataSync()));
  const mean = m.reduce((a, b) => a + b, 0) / m.length;
  assert.ok(Math.abs(mean - 0.3) < 0.03, `mean mask ${mean}`);
  // Model: sum of the top-left 4x4 quadrant.
  let calls = 0;
  const fn = (z: tf.Tensor) => {
    calls++;
    const s = tf.sum(tf.slice(z, [0, 0, 0, 0], [-1, 4, 4, -1]), [1, 2, 3]);
    return tf.stack([s, tf.neg(s)], 1);
  };
  const x = tf.ones([1, 8, 8, 1]);
  const a = await new Rise(fn).attribute(x, { target: 0, masks: 96, cells: 4, internalBatchSize: 32, seed: 3 });
  assert.equal(calls, 1 + 3);
  // Reference: the same seeded masks, scored and averaged by hand.
  const rng = new Rng(3);
  const expected = new Float64Array(64);
  for (let c = 0; c < 3; c++) {
    const masks = tf.tidy(() => riseMasks([8, 8], 32, 4, 0.5, rng).dataSync());
    for (let r = 0; r < 32; r++) {
      const mk = masks.subarray(r * 64, (r + 1) * 64);
      let f = 0;
      for (let i = 0; i < 64; i++) if (Math.floor(i / 8) < 4 && i % 8 < 4) f += mk[i];
      for (let i = 0; i < 64; i++) expected[i] += (f * mk[i]) / (96 * 0.5);
    }
  }
  assertClose(a.values, expected, 1e-4);
  const b = await new Rise(fn).attribute(x, { target: 0, masks: 96, cells: 4, seed: 3 });
  assert.deepEqual(a.values, b.values);
});

test('weightedLeastSquares recovers an exact linear law with weights and intercept', () => {
  const rng = new Rng(4);
  const z = Float64Array.from({ length: 40 * 3 }, () => rng.next());
  const y = Float64Array.from({ length: 40 }, (_, i) => 1.5 + 2 * z[i * 3] - z[i * 3 + 1] + 0.25 * z[i * 3 + 2]);
  const w = Float64Array.from({ length: 40 }, () => rng.uniform(0.1, 2));
  assertClose(weightedLeastSquares(z, y, w, 3, 0), [1.5, 2, -1, 0.25], 1e-9);
});
