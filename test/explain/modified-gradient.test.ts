import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { InvalidInputError, UnsupportedError } from '../../src/errors.js';
import { GuidedBackprop, Deconvolution } from '../../src/explain/guided-backprop.js';
import { GuidedGradCAM } from '../../src/explain/guided-gradcam.js';
import { GradCAM } from '../../src/explain/gradcam.js';
import { DeepLift } from '../../src/explain/deeplift.js';
import { LRP } from '../../src/explain/lrp.js';
import { InputXGradient } from '../../src/explain/saliency.js';
import { assertClose } from '../helpers.js';
import { seeded, testInput, useCpu } from './fixtures.js';

before(useCpu);

const W1 = [[0.5, -1, 0.3], [1, 0.2, -0.4], [-0.6, 0.8, 1.1]];
const W2 = [[1, -0.5, 0.2], [-0.3, 0.9, 0.4], [0.7, 0.1, -1.2]];
const W3 = [[0.8, -0.2], [-1, 0.5], [0.6, 0.9]];

/** x -> dense(relu, W1) -> dense(W2) -> ReLU layer -> dense(W3): both activation forms, no biases. */
function mlp(): tfl.LayersModel {
  const inp = tfl.input({ shape: [3] });
  const d1 = tfl.layers.dense({ units: 3, activation: 'relu', useBias: false, name: 'd1' });
  const d2 = tfl.layers.dense({ units: 3, useBias: false, name: 'd2' });
  const d3 = tfl.layers.dense({ units: 2, useBias: false, name: 'd3' });
  const out = d3.apply(tfl.layers.reLU({ name: 'r' }).apply(d2.apply(d1.apply(inp)))) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: inp, outputs: out });
  d1.setWeights([tf.tensor2d(W1)]);
  d2.setWeights([tf.tensor2d(W2)]);
  d3.setWeights([tf.tensor2d(W3)]);
  return m;
}

const matVec = (w: number[][], v: number[]) => w.map((row) => row.reduce((s, q, j) => s + q * v[j], 0)); // w v
const vecMat = (v: number[], w: number[][]) => w[0].map((_, j) => v.reduce((s, q, i) => s + q * w[i][j], 0)); // v w
const relu = (v: number[]) => v.map((q) => Math.max(0, q));

test('guided backprop and deconvolution on a hand-built ReLU net equal the hand backward passes', async () => {
  const m = mlp();
  const x = [0.9, -0.4, 0.7];
  const z1 = vecMat(x, W1), h1 = relu(z1), z2 = vecMat(h1, W2);
  const c = 0;
  const back = (rule: (dy: number[], z: number[]) => number[]) => {
    const g2 = rule(W3.map((r) => r[c]), z2); // at the ReLU layer
    const g1 = rule(matVec(W2, g2), z1); // at d1's relu
    return matVec(W1, g1);
  };
  const guided = back((dy, z) => dy.map((q, i) => (q > 0 && z[i] > 0 ? q : 0)));
  const deconv = back((dy) => relu(dy));
  const before = tf.memory().numTensors;
  const gb = await new GuidedBackprop(m).attribute(tf.tensor2d([x]), { target: c });
  const dc = await new Deconvolution(m).attribute(tf.tensor2d([x]), { target: c });
  assert.equal(tf.memory().numTensors, before + 2, 'no leaks beyond the two input tensors');
  assertClose(gb.values, guided, 1e-6);
  assertClose(dc.values, deconv, 1e-6);
  // The model's own activations are restored afterwards.
  assert.equal((m.getLayer('d1').getConfig() as { activation: string }).activation, 'relu');
  assert.ok(guided.some((v, i) => Math.abs(v - deconv[i]) > 1e-3), 'the two rules differ here');
  await assert.rejects(new GuidedBackprop(((t: tf.Tensor) => t) as never).attribute(tf.tensor2d([x])), InvalidInputError);
});

test('DeepLift rescale on the ReLU net equals the hand multipliers; summation-to-delta on a nonlinear conv net', async () => {
  const m = mlp();
  const x = [0.9, -0.4, 0.7], b = [0.1, 0.3, -0.2];
  const sec = (f: (v: number) => number, u: number[], u0: number[]) => u.map((q, i) => (Math.abs(q - u0[i]) > 1e-9 ? (f(q) - f(u0[i])) / (q - u0[i]) : q > 0 ? 1 : 0));
  const r = (v: number) => Math.max(0, v);
  const z1 = vecMat(x, W1), z10 = vecMat(b, W1);
  const z2 = vecMat(relu(z1), W2), z20 = vecMat(relu(z10), W2);
  const m1 = sec(r, z1, z10), m2 = sec(r, z2, z20);
  const c = 1;
  const g2 = W3.map((row) => row[c]).map((q, i) => q * m2[i]);
  const g1 = matVec(W2, g2).map((q, i) => q * m1[i]);
  const mult = matVec(W1, g1);
  const dl = await new DeepLift(m).attribute(tf.tensor2d([x]), { target: c, baseline: tf.tensor1d(b) });
  assertClose(dl.values, mult.map((q, i) => q * (x[i] - b[i])), 1e-5);
  assertClose(dl.delta!, [0], 1e-5);

  const conv = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'tanh', name: 'c1', kernelInitializer: seeded(1), biasInitializer: seeded(2) }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c2', kernelInitializer: seeded(3), biasInitializer: seeded(4) }),
      tfl.layers.activation({ activation: 'sigmoid' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'relu', kernelInitializer: seeded(5), biasInitializer: seeded(6) }),
      tfl.layers.dense({ units: 2, kernelInitializer: seeded(7) }),
    ],
  });
  const xi = testInput([3, 6, 6, 2], 2);
  const before = tf.memory().numTensors;
  const d = await new DeepLift(conv).attribute(xi, { target: 1, baseline: 'blurred', internalBatchSize: 2 });
  assert.equal(tf.memory().numTensors, before, 'no leaks');
  assertClose(d.delta!, [0, 0, 0], 1e-4);
  assert.ok(d.values.some((v) => Math.abs(v) > 1e-3));
});

test('LRP: epsilon rule equals input x gradient and conserves relevance on a bias-free ReLU net', async () => {
  const m = mlp();
  const x = tf.tensor2d([[0.9, -0.4, 0.7], [0.2, 0.5, 1]]);
  const lrp = await new LRP(m).attribute(x, { target: 0 });
  const ixg = await new InputXGradient(m).attribute(x, { target: 0 });
  assertClose(lrp.values, ixg.values, 1e-5);
  const out = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
  assertClose(lrp.sums(), [out[0], out[2]], 1e-5);

  const conv = tfl.sequential({
    layers: [
      tfl.layers.conv1d({ inputShape: [8, 2], filters: 3, kernelSize: 3, padding: 'same', useBias: false, activation: 'relu', kernelInitializer: seeded(8) }),
      tfl.layers.maxPooling1d({ poolSize: 2 }),
      tfl.layers.conv1d({ filters: 2, kernelSize: 2, useBias: false, kernelInitializer: seeded(9) }),
      tfl.layers.reLU(),
      tfl.layers.averagePooling1d({ poolSize: 3 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: seeded(10) }),
    ],
  });
  const xc = testInput([2, 8, 2], 4);
  const before = tf.memory().numTensors;
  const lc = await new LRP(conv).attribute(xc, { target: [1, 0] });
  assert.equal(tf.memory().numTensors, before, 'no leaks');
  const oc = tf.tidy(() => (conv.predict(xc) as tf.Tensor).dataSync());
  assertClose(lc.sums(), [oc[1], oc[2]], 1e-4, 1e-4);
});

test('LRP epsilon on strided 2D and 3D convolutions (backward-data kernels) equals input x gradient', async () => {
  const c2 = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [7, 6, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false, activation: 'relu', kernelInitializer: seeded(11) }),
      tfl.layers.conv2d({ filters: 2, kernelSize: 2, strides: [1, 2], padding: 'valid', useBias: false, kernelInitializer: seeded(12) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: seeded(13) }),
    ],
  });
  const c3 = tfl.sequential({
    layers: [
      tfl.layers.conv3d({ inputShape: [4, 5, 3, 2], filters: 2, kernelSize: 2, strides: 2, padding: 'same', useBias: false, activation: 'relu', kernelInitializer: seeded(14) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: seeded(15) }),
    ],
  });
  const c1 = tfl.sequential({
    layers: [
      tfl.layers.conv1d({ inputShape: [9, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false, activation: 'relu', kernelInitializer: seeded(16) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: seeded(17) }),
    ],
  });
  for (const [m, shape] of [[c2, [2, 7, 6, 2]], [c3, [1, 4, 5, 3, 2]], [c1, [2, 9, 2]]] as const) {
    const x = testInput([...shape], 6);
    const before = tf.memory().numTensors;
    const lrp = await new LRP(m).attribute(x, { target: 1 });
    assert.equal(tf.memory().numTensors, before, 'no leaks');
    const ixg = await new InputXGradient(m).attribute(x, { target: 1 });
    assertClose(lrp.values, ixg.values, 1e-5, 1e-5);
  }
});

test('LRP alpha-beta and z+ first layer equal a hand computation; gamma 0 is epsilon; unsupported layers are named', async () => {
  // One hidden layer: x -> dense(W1, relu) -> dense(W3 column) ; hand-computed rules.
  const inp = tfl.input({ shape: [3] });
  const d1 = tfl.layers.dense({ units: 3, activation: 'relu', useBias: false, name: 'h' });
  const d2 = tfl.layers.dense({ units: 2, useBias: false, name: 'o' });
  const m = tfl.model({ inputs: inp, outputs: d2.apply(d1.apply(inp)) as tfl.SymbolicTensor });
  d1.setWeights([tf.tensor2d(W1)]);
  d2.setWeights([tf.tensor2d(W3)]);
  const x = [0.9, -0.4, 0.7];
  const h = relu(vecMat(x, W1));
  const c = 0;
  const rOut = h.reduce((s, q, k) => s + q * W3[k][c], 0);
  // Output layer (alpha 2, beta 1) on h >= 0: R_k = (2 z+_k / Z+ - z-_k / Z-) * rOut.
  const zk = h.map((q, k) => q * W3[k][c]);
  const zp = zk.filter((v) => v > 0).reduce((s, v) => s + v, 0), zn = zk.filter((v) => v < 0).reduce((s, v) => s + v, 0);
  const rh = zk.map((v) => (2 * (v > 0 ? v / zp : 0) - (v < 0 ? v / zn : 0)) * rOut);
  // First layer z+: positive contributions x_i W_ik where x_i W_ik > 0, normalised per unit k.
  const rx = x.map((xi, i) => W1[0].reduce((s, _, k) => {
    const contrib = (j: number) => Math.max(0, x[j] * W1[j][k]);
    const zsum = [0, 1, 2].reduce((q, j) => q + contrib(j), 0);
    return s + (zsum > 0 ? (contrib(i) / zsum) * rh[k] : 0);
  }, 0));
  const got = await new LRP(m).attribute(tf.tensor2d([x]), { target: c, rule: { name: 'alphabeta', alpha: 2, beta: 1 }, firstLayerRule: { name: 'zplus' } });
  assertClose(got.values, rx, 1e-5);
  const eps = await new LRP(m).attribute(tf.tensor2d([x]), { target: c, rule: { name: 'epsilon', epsilon: 1e-9 } });
  const gam = await new LRP(m).attribute(tf.tensor2d([x]), { target: c, rule: { name: 'gamma', gamma: 0 } });
  assertClose(gam.values, eps.values, 1e-6);
  await assert.rejects(new LRP(m).attribute(tf.tensor2d([x]), { rule: { name: 'alphabeta', alpha: 1, beta: 1 } }), InvalidInputError);
  const rnn = tfl.sequential({ layers: [tfl.layers.simpleRNN({ units: 2, inputShape: [4, 1], name: 'rnn', recurrentInitializer: 'glorotUniform' }), tfl.layers.dense({ units: 2 })] });
  await assert.rejects(new LRP(rnn).attribute(tf.zeros([1, 4, 1])), (e: unknown) => e instanceof UnsupportedError && /SimpleRNN layer 'rnn'/.test(e.message));
});

test('Guided Grad-CAM = guided backprop x upsampled Grad-CAM', async () => {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu', name: 'c1', kernelInitializer: seeded(11) }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 2, kernelInitializer: seeded(12) }),
    ],
  });
  const x = testInput([2, 6, 6, 2], 6);
  const gg = await new GuidedGradCAM(m).attribute(x, { target: 1 });
  const gb = await new GuidedBackprop(m).attribute(x, { target: 1 });
  const cam = await new GradCAM(m).attribute(x, { target: 1 });
  assertClose(gg.values, Array.from(gb.values, (v, i) => v * cam.values[Math.floor(i / 2)]), 1e-6);
  assert.ok(gg.values.some((v) => Math.abs(v) > 1e-5), 'non-trivial map');
  assert.equal(gg.grid?.layer, 'c1');
});
