import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import { Saliency, InputXGradient } from '../../src/explain/saliency.js';
import { IntegratedGradients } from '../../src/explain/integrated-gradients.js';
import { SmoothGrad, VarGrad } from '../../src/explain/noise-tunnel.js';
import { GradientShap } from '../../src/explain/gradient-shap.js';
import { quadrature } from '../../src/explain/quadrature.js';
import { assertClose } from '../helpers.js';
import { linearFunction, linearModel, testInput, useCpu } from './fixtures.js';

before(useCpu);

test('quadrature: Gauss-Legendre integrates degree 2n-1 polynomials exactly; Riemann nodes as Captum', () => {
  for (const n of [1, 2, 3, 5, 8]) {
    const { alphas, weights } = quadrature('gausslegendre', n);
    for (let d = 0; d < 2 * n; d++) {
      const integral = alphas.reduce((s, a, i) => s + weights[i] * a ** d, 0);
      assert.ok(Math.abs(integral - 1 / (d + 1)) < 1e-12, `n=${n} degree ${d}: ${integral}`);
    }
  }
  assert.deepEqual(Array.from(quadrature('riemann_left', 4).alphas), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(Array.from(quadrature('riemann_right', 2).alphas), [0.5, 1]);
  assert.deepEqual(Array.from(quadrature('riemann_trapezoid', 3).weights), [0.25, 0.5, 0.25]);
  assert.throws(() => quadrature('simpson' as never, 3), InvalidInputError);
});

test('saliency of a linear layers model is |w| (signed w without abs); InputXGradient is w*x', async () => {
  const w = [[1, -2], [0.5, 3], [-4, 1]];
  const m = linearModel(w, [0.1, -0.2]);
  const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
  const before = tf.memory().numTensors;
  const s = await new Saliency(m).attribute(x, { target: 1, abs: false });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assertClose(s.values, [-2, 3, 1, -2, 3, 1]);
  const sa = await new Saliency(m).attribute(x, { target: [0, 1] });
  assertClose(sa.values, [1, 0.5, 4, 2, 3, 1]);
  assert.deepEqual(Array.from(sa.targets!), [0, 1]);
  const ixg = await new InputXGradient(m).attribute(x, { target: 0 });
  assertClose(ixg.values, [1, 1, -12, -1, 0.25, -8]);
  assert.equal(ixg.rank, 1);
});

test('IG on a linear model equals w*(x - baseline) exactly (Gauss-Legendre), any batch size, zero delta', async () => {
  for (const shape of [[2, 6, 2], [2, 4, 3, 2], [1, 2, 3, 2, 1]]) {
    const { fn, w } = linearFunction(shape.slice(1));
    const x = testInput(shape);
    const b = tf.fill(shape.slice(1), 0.3);
    const before = tf.memory().numTensors;
    const ig = await new IntegratedGradients(fn).attribute(x, { target: 0, baseline: b, steps: 7, internalBatchSize: 5 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    const xv = x.dataSync();
    const size = xv.length / shape[0];
    assertClose(ig.values, Array.from(xv, (v, i) => w[i % size] * (v - 0.3)), 1e-5);
    assertClose(ig.delta!, new Array(shape[0]).fill(0), 1e-4);
    assert.equal(ig.rank, shape.length - 2);
    x.dispose();
    b.dispose();
  }
});

test('IG completeness on a nonlinear model: |sum - (f(x) - f(b))| equals the returned delta and shrinks with steps', async () => {
  const fn = (x: tf.Tensor) => tf.stack([tf.sum(tf.mul(tf.sigmoid(tf.mul(x, 3)), tf.square(x)), 1), tf.sum(x, 1)], 1);
  const x = tf.tensor2d([[0.5, -1, 2, 0.1], [1, 1, -0.3, 0.7]]);
  const f = (v: number[]) => v.reduce((s, q) => s + q * q / (1 + Math.exp(-3 * q)), 0);
  const exact = [f([0.5, -1, 2, 0.1]), f([1, 1, -0.3, 0.7])];
  let lastDelta = Infinity;
  for (const steps of [4, 16, 64]) {
    const ig = await new IntegratedGradients(fn).attribute(x, { target: 0, steps, rule: 'riemann_trapezoid' });
    const sums = ig.sums();
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(sums[i] - exact[i] - ig.delta![i]) < 1e-4, 'delta = sum - (f(x) - f(0))');
    const d = Math.max(...Array.from(ig.delta!, Math.abs));
    assert.ok(d < lastDelta, `delta ${d} shrinks`);
    lastDelta = d;
  }
  assert.ok(lastDelta < 1e-3, `delta ${lastDelta}`);
  const gl = await new IntegratedGradients(fn).attribute(x, { target: 0, steps: 20 });
  assert.ok(Math.max(...Array.from(gl.delta!, Math.abs)) < 1e-4, 'Gauss-Legendre converges fast');
});

test('IG baselines: blurred and uniform are deterministic; bad baselines throw', async () => {
  const { fn, w } = linearFunction([8, 1]);
  const x = testInput([1, 8, 1]);
  const a = await new IntegratedGradients(fn).attribute(x, { target: 0, baseline: 'uniform', seed: 3, steps: 3 });
  const b = await new IntegratedGradients(fn).attribute(x, { target: 0, baseline: 'uniform', seed: 3, steps: 3 });
  assert.deepEqual(a.values, b.values);
  const blurred = await new IntegratedGradients(fn).attribute(x, { target: 0, baseline: 'blurred', steps: 3 });
  assertClose(blurred.delta!, [0], 1e-4);
  assert.ok(blurred.values.some((v, i) => Math.abs(v - w[i] * x.dataSync()[i]) > 1e-3), 'blurred baseline differs from zero');
  await assert.rejects(new IntegratedGradients(fn).attribute(x, { baseline: tf.zeros([3]) }), InvalidInputError);
  await assert.rejects(new IntegratedGradients(fn).attribute(x, { baseline: 'nope' as never }), InvalidInputError);
});

test('SmoothGrad and VarGrad on a linear model: mean gradient = w, variance 0; nonlinear variance > 0; seeded', async () => {
  const { fn, w } = linearFunction([5]);
  const x = testInput([2, 5]);
  const sg = await new SmoothGrad(fn).attribute(x, { target: 0, samples: 6, internalBatchSize: 4 });
  assertClose(sg.values, [...w, ...w], 1e-5);
  const vg = await new VarGrad(fn).attribute(x, { target: 0, samples: 6 });
  assertClose(vg.values, new Array(10).fill(0), 1e-4);
  const sq = (z: tf.Tensor) => tf.stack([tf.sum(tf.square(z), 1)], 1);
  const v1 = await new VarGrad(sq).attribute(x, { target: 0, samples: 50, stdev: 0.5, seed: 2 });
  // d/dx sum(x^2) = 2(x + e), variance 4 * 0.25 = 1 per element.
  const mean = v1.values.reduce((a, b) => a + b, 0) / v1.values.length;
  assert.ok(Math.abs(mean - 1) < 0.25, `variance ${mean}`);
  const v2 = await new VarGrad(sq).attribute(x, { target: 0, samples: 50, stdev: 0.5, seed: 2 });
  assert.deepEqual(v1.values, v2.values);
});

test('GradientShap with one zero baseline on a linear model equals w*x; with a baseline set, w*(x - mean) in expectation', async () => {
  const { fn, w } = linearFunction([4]);
  const x = testInput([1, 4]);
  const xv = x.dataSync();
  const gs = await new GradientShap(fn).attribute(x, { target: 0, samples: 5 });
  assertClose(gs.values, Array.from(xv, (v, i) => w[i] * v));
  const dist = tf.tensor2d([[0, 0, 0, 0], [1, 1, 1, 1]]);
  const g2 = await new GradientShap(fn).attribute(x, { target: 0, samples: 400, baselines: dist, seed: 1 });
  assertClose(g2.values, Array.from(xv, (v, i) => w[i] * (v - 0.5)), 0.15 * 2.5);
});

test('errors: bad target, wrong input shape, NaN input, non-model', async () => {
  const m = linearModel([[1, 2], [3, 4]], [0, 0]);
  const x = tf.tensor2d([[1, 2]]);
  await assert.rejects(new Saliency(m).attribute(x, { target: 2 }), (e: unknown) => e instanceof InvalidInputError && /target.*outside \[0, 2\)/.test(e.message));
  await assert.rejects(new Saliency(m).attribute(x, { target: 0.5 }), InvalidInputError);
  await assert.rejects(new Saliency(m).attribute(x, { target: [0, 1] }), /2 indices for 1 samples/);
  await assert.rejects(new Saliency(m).attribute(x, { target: () => tf.zeros([3]) }), InvalidInputError);
  await assert.rejects(new Saliency(m).attribute(tf.zeros([1, 3])), (e: unknown) => e instanceof InvalidInputError && /expects shape \[N,2\]/.test(e.message));
  await assert.rejects(new Saliency(m).attribute(tf.tensor2d([[NaN, 1]])), /NaN or Inf/);
  await assert.rejects(new Saliency(m).attribute(tf.zeros([2])), InvalidInputError);
  assert.throws(() => new Saliency({} as never), InvalidInputError);
});

test('target function: gradient of a custom score; progress events reach the total', async () => {
  const m = linearModel([[1, 2], [3, 4]], [0, 0]);
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const events: number[] = [];
  const s = await new Saliency(m).attribute(x, {
    target: (out) => tf.sub(tf.gather(out, 1, 1), tf.gather(out, 0, 1)),
    abs: false,
    internalBatchSize: 2,
    onProgress: (e) => events.push(e.done / e.total),
  });
  assertClose(s.values, [1, 1, 1, 1, 1, 1]);
  assert.equal(s.targets, undefined);
  assert.deepEqual(events, [2 / 3, 1]);
  assert.ok(tfl.LayersModel !== undefined);
});
