import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { IntegratedGradients, InputXGradient, Saliency } from '../../src/explain/index.js';
import type { ModelLike } from '../../src/explain/types.js';
import {
  completeness, inputInvariance, modelParameterRandomisationCurves, nonSensitivity, randomLogit, type ExplainFn,
} from '../../src/evaluate/index.js';
import { InvalidInputError, UnsupportedError } from '../../src/errors.js';
import { assertClose } from '../helpers.js';
import { linearAttribution, linearModel, positives, sizeOf } from './fixtures.js';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const saliency: ExplainFn = (x, t, m) => new Saliency(m as ModelLike).attribute(x, { target: t });
const signedSaliency: ExplainFn = (x, t, m) => new Saliency(m as ModelLike).attribute(x, { target: t, abs: false });
const inputXGradient: ExplainFn = (x, t, m) => new InputXGradient(m as ModelLike).attribute(x, { target: t });
const ig: ExplainFn = (x, t, m) => new IntegratedGradients(m as ModelLike).attribute(x, { target: t, steps: 8 });

/** A small seeded MLP [N, 12] -> 3 classes. */
function mlp(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [12], units: 16, activation: 'tanh', name: 'h1', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }),
      tfl.layers.dense({ units: 16, activation: 'tanh', name: 'h2', kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }),
      tfl.layers.dense({ units: 3, name: 'out', kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }),
    ],
  });
  return m;
}

test('model parameter randomisation: saliency similarity drops layer by layer; a model-blind map stays at 1; weights are restored', async () => {
  const model = mlp();
  const x = tf.tensor(positives(4 * 12, 3), [4, 12]);
  const before = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync().slice());
  const a = await new Saliency(model).attribute(x, { target: 0 });
  const tensorsBefore = tf.memory().numTensors;
  const cascade = await modelParameterRandomisationCurves(model, x, 0, a, { explain: saliency, seed: 1 });
  assert.deepEqual(cascade.layers, ['out', 'h2', 'h1']);
  const last = cascade.similarity[2];
  for (let i = 0; i < 4; i++) assert.ok(last[i] < 0.6, `fully randomised similarity ${last[i]}`);
  const mean = (v: Float32Array) => v.reduce((p, q) => p + q, 0) / v.length;
  assert.ok(mean(cascade.similarity[0]) > mean(last), 'cascading lowers similarity');
  const blind: ExplainFn = (t) => tf.abs(t); // an "edge detector": independent of the model
  const ind = await modelParameterRandomisationCurves(model, x, 0, x, { explain: blind, order: 'independent', similarity: 'ssim' });
  for (const curve of ind.similarity) assertClose(curve, [1, 1, 1, 1], 1e-5);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaks');
  const after = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  assertClose(after, before, 0, 0, 'weights restored');
  await assert.rejects(modelParameterRandomisationCurves(model, x, 0, a, { explain: saliency, layers: ['nope'] }), InvalidInputError);
  const { fn } = linearModel(new Float32Array(12).fill(1));
  await assert.rejects(modelParameterRandomisationCurves(fn as never, x, 0, a, { explain: saliency }), UnsupportedError);
  x.dispose();
});

test('RandomLogit: the other class of a mirrored linear model gives the negated map (cosine -1); a class-blind map gives 1', async () => {
  const w = positives(6, 2);
  const { fn } = linearModel(w);
  const x = { data: positives(12, 4), shape: [2, 6, 1] };
  const a = Float32Array.from({ length: 12 }, (_, i) => w[i % 6]);
  assertClose(await randomLogit(fn, x, 0, a, { explain: signedSaliency, similarity: 'cosine', abs: false }), [-1, -1], 1e-5);
  const blind: ExplainFn = (t) => tf.abs(t);
  assertClose(await randomLogit(fn, x, 0, x.data, { explain: blind }), [1, 1], 1e-5);
});

for (const shape of [[2, 6, 2], [2, 3, 3, 1], [1, 2, 2, 2, 1]]) {
  test(`[${shape}]: completeness error is 0 for integrated gradients on a linear model and sum(w)-sum(w*x) for saliency`, async () => {
    const size = sizeOf(shape.slice(1));
    const w = Float32Array.from(positives(size, 5), (v, j) => (j % 2 ? v : -v));
    const { fn } = linearModel(w, 0.3);
    const xv = positives(sizeOf(shape), 6);
    const x = tf.tensor(xv, shape);
    const exact = await ig(x, new Int32Array(shape[0]), fn);
    assertClose(await completeness(fn, x, 0, exact), new Array(shape[0]).fill(0), 1e-4);
    const sal = Float32Array.from(xv, (_, i) => w[i % size]);
    const expected = Array.from({ length: shape[0] }, (_, i) => {
      let s = 0, f = 0;
      for (let j = 0; j < size; j++) (s += w[j]), (f += w[j] * xv[i * size + j]);
      return Math.abs(s - f);
    });
    assertClose(await completeness(fn, x, 0, sal), expected, 1e-4);
    x.dispose();
  });
}

test('NonSensitivity: 0 when zero relevance marks exactly the ignored inputs; counts each mismatch', async () => {
  const w = Float32Array.from([1, 0, 2, 0, -1, 3]);
  const { fn } = linearModel(w);
  const xv = positives(6, 9);
  const x = { data: xv, shape: [1, 6] };
  assert.deepEqual(Array.from(await nonSensitivity(fn, x, 0, linearAttribution(xv, w))), [0]);
  const wrong = linearAttribution(xv, w);
  wrong[1] = 0.5; // relevance on an ignored input
  wrong[2] = 0; // no relevance on a used input
  assert.deepEqual(Array.from(await nonSensitivity(fn, x, 0, wrong)), [2]);
});

test('InputInvariance: saliency is invariant to an input shift, input x gradient is not', async () => {
  const w = positives(8, 1);
  const { fn } = linearModel(w);
  const xv = positives(16, 2);
  const x = { data: xv, shape: [2, 8, 1] };
  const sal = Float32Array.from(xv, (_, i) => w[i % 8]);
  assert.deepEqual(Array.from(await inputInvariance(fn, x, 0, sal, { explain: saliency })), [1, 1]);
  assert.deepEqual(Array.from(await inputInvariance(fn, x, 0, linearAttribution(xv, w), { explain: inputXGradient })), [0, 0]);
});

test('model parameter randomisation on a conv + batch-norm image model keeps moving statistics valid (finite similarities)', async () => {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, padding: 'same', name: 'conv', kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, name: 'fc', kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }) }),
    ],
  });
  const x = tf.tensor(positives(2 * 36, 1), [2, 6, 6, 1]);
  const a = await new Saliency(m).attribute(x, { target: 1 });
  const r = await modelParameterRandomisationCurves(m, x, 1, a, { explain: saliency, order: 'independent' });
  assert.deepEqual(r.layers, ['fc', 'bn', 'conv']);
  for (const c of r.similarity) for (const v of c) assert.ok(Number.isFinite(v) && v <= 1 + 1e-6, `similarity ${v}`);
  x.dispose();
});
