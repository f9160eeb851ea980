import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { Saliency, InputXGradient } from '../../src/explain/index.js';
import type { ModelLike } from '../../src/explain/types.js';
import {
  avgSensitivity, continuity, explainerFn, localLipschitzEstimate, maxSensitivity, relativeInputStability, relativeOutputStability, type ExplainFn,
} from '../../src/evaluate/index.js';
import { InvalidInputError } from '../../src/errors.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { linearAttribution, linearModel, positives, sizeOf } from './fixtures.js';

before(async () => {
  await tf.setBackend('cpu'); // gradients of any op
  await tf.ready();
});

const saliency: ExplainFn = (x, t, m) => new Saliency(m as ModelLike).attribute(x, { target: t, abs: false });
const inputXGradient: ExplainFn = (x, t, m) => new InputXGradient(m as ModelLike).attribute(x, { target: t });

for (const shape of [[2, 10, 1], [2, 4, 3, 1], [2, 2, 3, 2, 1]]) {
  test(`[${shape}]: a linear model's saliency is perfectly robust; input x gradient has Lipschitz constant |w| and RIS 1`, async () => {
    const size = sizeOf(shape.slice(1));
    const w = positives(size, 4);
    const { fn, calls } = linearModel(w);
    const xv = positives(sizeOf(shape), 7);
    const x = { data: xv, shape };
    const sal = Float32Array.from({ length: xv.length }, (_, i) => w[i % size]);
    const before = tf.memory().numTensors;
    let explainCalls = 0;
    const counted: ExplainFn = (t, tg, m) => (explainCalls++, saliency(t, tg, m));
    const o = { explain: saliency, nrSamples: 5, internalBatchSize: 4 };
    calls.n = 0;
    assertClose(await maxSensitivity(fn, x, 0, sal, { ...o, explain: counted }), [0, 0], 1e-6);
    // 2 samples x 5 copies in chunks of 4 rows = 3 explain calls; forwards: 1 for the labels,
    // then 2 per explain call (Saliency's own target pass and its gradient pass).
    assert.equal(explainCalls, 3);
    assert.equal(calls.n, 1 + 3 * 2);
    assertClose(await avgSensitivity(fn, x, 0, sal, o), [0, 0], 1e-6);
    assertClose(await localLipschitzEstimate(fn, x, 0, sal, o), [0, 0], 1e-6);
    assertClose(await relativeOutputStability(fn, x, 0, sal, o), [0, 0], 1e-6);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    const c = 0.5;
    const flat = linearModel(new Float32Array(size).fill(c));
    const ixg = linearAttribution(xv, new Float32Array(size).fill(c));
    assertClose(await localLipschitzEstimate(flat.fn, x, 0, ixg, { ...o, explain: inputXGradient }), [c, c], 1e-4);
    assertClose(await relativeInputStability(flat.fn, x, 0, ixg, { ...o, explain: inputXGradient }), [1, 1], 1e-3);
    const ms = await maxSensitivity(fn, x, 0, linearAttribution(xv, w), { ...o, explain: inputXGradient });
    assert.ok(ms[0] > 0.01 && ms[0] < 1, `input x gradient moves with the input: ${ms[0]}`);
  });
}

test('Continuity: an explanation that follows the input correlates with the output; noise does not', async () => {
  const shape = [1, 16, 1];
  const w = new Float32Array(16).fill(1);
  const { fn } = linearModel(w);
  const xv = Float32Array.from({ length: 16 }, (_, t) => 0.1 + 0.1 * t); // shifting right lowers every patch and the output
  const x = { data: xv, shape };
  const follow: ExplainFn = (t) => tf.clone(t); // relevance = input: patch sums move with the translated input
  const rng = new Rng(3);
  const noise: ExplainFn = (t) => tf.tensor(Float32Array.from({ length: t.size }, () => rng.normal()), t.shape);
  const good = await continuity(fn, x, 0, xv, { explain: follow, nrSteps: 8, cell: [4] });
  const bad = await continuity(fn, x, 0, xv, { explain: noise, nrSteps: 8, cell: [4] });
  assert.ok(good[0] > 0.5, `following explanation ${good[0]}`);
  assert.ok(Math.abs(bad[0]) < 0.4, `noise explanation ${bad[0]}`);
});

test('robustness metrics need an explain function and valid options', async () => {
  const { fn } = linearModel(new Float32Array(4).fill(1));
  const x = { data: new Float32Array(4).fill(1), shape: [1, 4] };
  await assert.rejects(maxSensitivity(fn, x, 0, new Float32Array(4), {} as never), (e: unknown) => e instanceof InvalidInputError && /explain function/.test(e.message));
  await assert.rejects(maxSensitivity(fn, x, 0, new Float32Array(4), { explain: saliency, radius: -1 }), InvalidInputError);
  await assert.rejects(maxSensitivity(fn, x, 0, new Float32Array(4), { explain: () => new Float32Array(3) }), /explain result/);
});

test('explainerFn runs a registered explainer by name with the metric targets', async () => {
  const w = positives(5, 2);
  const { fn } = linearModel(w);
  const x = { data: positives(10, 3), shape: [2, 5] };
  const sal = Float32Array.from({ length: 10 }, (_, i) => w[i % 5]);
  assertClose(await maxSensitivity(fn, x, 0, sal, { explain: explainerFn('saliency', { abs: false }), nrSamples: 3 }), [0, 0], 1e-6);
  // target 1 of the mirrored model has gradient -w: against +w the relative change is 2.
  assertClose(await maxSensitivity(fn, x, 1, sal, { explain: explainerFn('Saliency', { abs: false }), nrSamples: 3 }), [2, 2], 1e-5);
});
