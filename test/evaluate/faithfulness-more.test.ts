import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import {
  faithfulnessEstimate, infidelity, listMetrics, monotonicityCorrelation, sensitivityN, sufficiency, evaluate,
} from '../../src/evaluate/index.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { linearAttribution, linearModel, positives, reversed, sizeOf } from './fixtures.js';

for (const shape of [[2, 12, 1], [2, 4, 3, 2], [1, 2, 3, 2, 1]]) {
  const size = sizeOf(shape.slice(1));
  const w = positives(size, 7), xv = positives(sizeOf(shape), 8);
  const x = { data: xv, shape };
  const truth = linearAttribution(xv, w);

  test(`[${shape}]: FaithfulnessEstimate, SensitivityN and MonotonicityCorrelation are 1 for the exact linear attribution`, async () => {
    const { fn } = linearModel(w, 0.5);
    const ones = new Array(shape[0]).fill(1);
    assertClose(await faithfulnessEstimate(fn, x, 0, truth, { featuresInStep: 1 }), ones, 1e-4);
    assertClose(await sensitivityN(fn, x, 0, truth, { nrRuns: 10, subsetSizes: [1, 2, 3] }), ones, 1e-4);
    assertClose(await monotonicityCorrelation(fn, x, 0, truth, { featuresInStep: 1, baseline: 0 }), ones, 1e-6);
    assertClose(await monotonicityCorrelation(fn, x, 0, reversed(truth), { featuresInStep: 1, baseline: 0 }), ones.map((v) => -v), 1e-6);
    const noisy = await monotonicityCorrelation(fn, x, 0, truth, { featuresInStep: 2, nrSamples: 3, seed: 4 });
    assert.deepEqual(await monotonicityCorrelation(fn, x, 0, truth, { featuresInStep: 2, nrSamples: 3, seed: 4 }), noisy, 'deterministic from the seed');
    for (const v of noisy) assert.ok(v >= -1 && v <= 1, `fresh uniform noise gives a correlation: ${v}`);
    const rng = new Rng(2);
    const random = await faithfulnessEstimate(fn, x, 0, truth.map(() => rng.normal()), { featuresInStep: 1 });
    for (const v of random) assert.ok(Math.abs(v) < 0.8, `random estimate ${v}`);
  });

  test(`[${shape}]: Infidelity is 0 for the gradient of a linear model and about noise^2 ||w||^2 for twice it`, async () => {
    const { fn } = linearModel(w);
    const grad = Float32Array.from(xv, (_, i) => w[i % size]);
    assertClose(await infidelity(fn, x, 0, grad, { nrSamples: 5 }), new Array(shape[0]).fill(0), 1e-6);
    const c = shape[shape.length - 1];
    let norm = 0;
    for (let p = 0; p < size / c; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += w[p * c + k];
      norm += s * s;
    }
    const got = await infidelity(fn, x, 0, grad.map((v) => 2 * v), { nrSamples: 400, noise: 0.1, internalBatchSize: 128 });
    for (const v of got) assert.ok(Math.abs(v - 0.01 * norm) < 0.25 * 0.01 * norm, `infidelity ${v} vs ${0.01 * norm}`);
  });
}

test('Sufficiency: neighbours in explanation space sharing the prediction score 1, disagreeing ones 0', async () => {
  const w = new Float32Array(8).fill(1);
  const { fn } = linearModel(w, 0);
  // samples 0-2 predicted class 0 (positive sum), sample 3 class 1
  const xv = Float32Array.from([...new Array(8).fill(1), ...new Array(8).fill(2), ...new Array(8).fill(1), ...new Array(8).fill(-1)]);
  const mapA = [1, 1, 1, 1, 0, 0, 0, 0], mapB = [0, 0, 0, 0, 1, 1, 1, 1];
  const a = Float32Array.from([...mapA, ...mapA, ...mapB, ...mapB]);
  assert.deepEqual(Array.from(await sufficiency(fn, { data: xv, shape: [4, 8] }, undefined, a)), [1, 1, 0, 0]);
});

test('every metric of the issue is registered with its declaration, and evaluate() reaches them by name', async () => {
  const names = listMetrics().map((m) => m.name);
  for (const n of [
    'PixelFlipping', 'RegionPerturbation', 'Deletion', 'Insertion', 'ROAD', 'IROF', 'FaithfulnessCorrelation', 'FaithfulnessEstimate',
    'Monotonicity', 'MonotonicityCorrelation', 'Infidelity', 'SensitivityN', 'Selectivity', 'Sufficiency',
    'MaxSensitivity', 'AvgSensitivity', 'LocalLipschitzEstimate', 'RelativeInputStability', 'RelativeOutputStability', 'Continuity',
    'PointingGame', 'AttributionLocalisation', 'TopKIntersection', 'RelevanceMassAccuracy', 'RelevanceRankAccuracy', 'AUC', 'IoU', 'Dice',
    'Sparseness', 'Complexity', 'EffectiveComplexity', 'ModelParameterRandomisation', 'RandomLogit', 'Completeness', 'NonSensitivity', 'InputInvariance',
  ]) assert.ok(names.includes(n), `${n} registered`);
  const robust = listMetrics().find((m) => m.name === 'MaxSensitivity')!;
  assert.deepEqual(robust.needs, ['model', 'explain']);
  const w = positives(6, 1), xv = positives(6, 2);
  const { fn } = linearModel(w);
  const s = await evaluate('faithfulness_estimate', { model: fn, x: tf.tensor(xv, [1, 6]), y: 0, attribution: linearAttribution(xv, w), featuresInStep: 1 });
  assertClose(s, [1], 1e-5);
});
