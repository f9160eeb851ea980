import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import { GradCAM } from '../../src/explain/gradcam.js';
import { HiResCAM } from '../../src/explain/hirescam.js';
import { XGradCAM } from '../../src/explain/xgradcam.js';
import { LayerCAM } from '../../src/explain/layercam.js';
import { GradCAMPlusPlus } from '../../src/explain/gradcam-plus-plus.js';
import { EigenCAM } from '../../src/explain/eigencam.js';
import { ScoreCAM } from '../../src/explain/scorecam.js';
import { AblationCAM } from '../../src/explain/ablationcam.js';
import { upsample } from '../../src/explain/spatial.js';
import { assertClose } from '../helpers.js';
import { seeded, testInput, useCpu } from './fixtures.js';

before(useCpu);

/** Valid, stride-1 convolution of one sample, by loops: x [...S, cin], kernel [...K, cin, cout]. */
function convValid(x: Float32Array, s: number[], cin: number, k: Float32Array, ks: number[], cout: number): { out: Float32Array; shape: number[] } {
  const os = s.map((d, i) => d - ks[i] + 1);
  const positions = os.reduce((a, b) => a * b, 1), taps = ks.reduce((a, b) => a * b, 1);
  const out = new Float32Array(positions * cout);
  const unravel = (i: number, dims: number[]) => dims.map((_, a) => Math.floor(i / dims.slice(a + 1).reduce((p, q) => p * q, 1)) % dims[a]);
  for (let p = 0; p < positions; p++) {
    const op = unravel(p, os);
    for (let t = 0; t < taps; t++) {
      const kp = unravel(t, ks);
      const ip = op.map((v, a) => v + kp[a]);
      const xi = ip.reduce((acc, v, a) => acc * s[a] + v, 0);
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) out[p * cout + co] += x[xi * cin + ci] * k[(t * cin + ci) * cout + co];
    }
  }
  return { out, shape: os };
}

const convLayer = { 1: tfl.layers.conv1d, 2: tfl.layers.conv2d, 3: tfl.layers.conv3d } as const;
/** Global average pooling for a rank (tfjs-layers has no 3D global pooling: average-pool the whole grid, then flatten). */
function gap(rank: 1 | 2 | 3, grid: number[]): tfl.LayersModel['layers'][number][] {
  if (rank === 1) return [tfl.layers.globalAveragePooling1d({ name: 'gap' })];
  if (rank === 2) return [tfl.layers.globalAveragePooling2d({ name: 'gap' })];
  return [tfl.layers.averagePooling3d({ poolSize: grid as [number, number, number], name: 'gap' }), tfl.layers.flatten({})];
}

/** conv (ReLU, no bias) -> global average pool -> dense(2), all weights set by hand. */
function camNet(rank: 1 | 2 | 3, spatial: number[], cin: number, ks: number) {
  const cout = 3;
  const kernel = Float32Array.from({ length: ks ** rank * cin * cout }, (_, i) => Math.cos(i * 1.3) * 0.8 + 0.1);
  const dense = [[1.0, -0.5], [-0.7, 0.8], [0.4, 0.3]];
  const conv = (convLayer[rank] as (a: object) => tfl.LayersModel['layers'][number])({ filters: cout, kernelSize: ks, activation: 'relu', useBias: false, name: 'conv', inputShape: [...spatial, cin] });
  const m = tfl.sequential({ layers: [conv, ...gap(rank, spatial.map((d) => d - ks + 1)), tfl.layers.dense({ units: 2, name: 'head' })] });
  conv.setWeights([tf.tensor(kernel, [...new Array(rank).fill(ks), cin, cout])]);
  m.getLayer('head').setWeights([tf.tensor2d(dense), tf.tensor1d([0.05, -0.05])]);
  /** Activation A [positions, cout] of sample values x, by hand. */
  const act = (x: Float32Array) => {
    const r = convValid(x, spatial, cin, kernel, new Array(rank).fill(ks), cout);
    return { a: r.out.map((v) => Math.max(0, v)), grid: r.shape };
  };
  return { m, act, dense, cout };
}

/** Hand CAM on the grid from per-position weights wfn(k, a) of activation a [P, K]. */
function handCam(a: Float32Array, cout: number, weight: (k: number, p: number) => number): number[] {
  const p = a.length / cout;
  return Array.from({ length: p }, (_, i) => Math.max(0, Array.from({ length: cout }, (_, k) => weight(k, i) * a[i * cout + k]).reduce((s, v) => s + v, 0)));
}

for (const [rank, spatial, cin, ks] of [[1, [9], 2, 3], [2, [5, 4], 1, 2], [3, [3, 4, 3], 2, 2]] as const) {
  test(`Grad-CAM family on a hand-built ${rank}D conv net equals the hand computation`, async () => {
    const { m, act, dense, cout } = camNet(rank, [...spatial], cin, ks);
    const x = testInput([2, ...spatial, cin], rank);
    const xv = x.dataSync();
    const size = xv.length / 2;
    const before = tf.memory().numTensors;
    const target = 1;
    const results = {
      grad: await new GradCAM(m).attribute(x, { target, upsample: false }),
      hires: await new HiResCAM(m).attribute(x, { target, upsample: false }),
      xgrad: await new XGradCAM(m).attribute(x, { target, upsample: false }),
      layer: await new LayerCAM(m).attribute(x, { target, upsample: false }),
      pp: await new GradCAMPlusPlus(m).attribute(x, { target, upsample: false }),
      abl: await new AblationCAM(m).attribute(x, { target, upsample: false, internalBatchSize: 2 }),
    };
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    for (let n = 0; n < 2; n++) {
      const { a, grid } = act(xv.subarray(n * size, (n + 1) * size) as Float32Array);
      const p = a.length / cout;
      // GAP -> dense: dY/dA_k(p) = W[k, c] / P everywhere.
      const g = (k: number) => dense[k][target] / p;
      const sumA = (k: number) => Array.from({ length: p }, (_, i) => a[i * cout + k]).reduce((s, v) => s + v, 0);
      const sl = (r: { values: Float32Array; shape: number[] }) => r.values.subarray(n * p, (n + 1) * p);
      assert.deepEqual(results.grad.shape, [2, ...grid, 1]);
      assertClose(sl(results.grad), handCam(a, cout, g), 1e-5, 1e-4, 'GradCAM');
      assertClose(sl(results.hires), handCam(a, cout, g), 1e-5, 1e-4, 'HiResCAM');
      assertClose(sl(results.xgrad), handCam(a, cout, (k) => (g(k) * sumA(k)) / (sumA(k) + 1e-7)), 1e-5, 1e-3, 'XGradCAM');
      assertClose(sl(results.layer), handCam(a, cout, (k) => Math.max(0, g(k))), 1e-5, 1e-4, 'LayerCAM');
      const pp = (k: number) => {
        const gk = g(k), alpha = gk * gk / (2 * gk * gk + sumA(k) * gk ** 3 + 1e-7);
        return p * Math.max(0, gk) * alpha;
      };
      assertClose(sl(results.pp), handCam(a, cout, pp), 1e-5, 1e-3, 'GradCAM++');
      const y = dense.reduce((s, row, k) => s + row[target] * sumA(k) / p, 0) - 0.05;
      assertClose(sl(results.abl), handCam(a, cout, (k) => (dense[k][target] * sumA(k) / p) / y), 1e-4, 1e-3, 'AblationCAM');
    }
    const up = await new GradCAM(m).attribute(x, { target });
    assert.deepEqual(up.shape, [2, ...spatial, 1]);
    assert.equal(up.grid?.layer, 'conv');
    assert.equal(up.grid?.upsampling, ['linear', 'bilinear', 'trilinear'][rank - 1]);
    const ref = tf.tidy(() => upsample(results.grad.toTensor(), [...spatial]).dataSync());
    assertClose(up.values, ref, 1e-6);
    x.dispose();
  });
}

test('CAMs are invariant to batch order and batch size', async () => {
  const { m } = camNet(2, [5, 4], 1, 2);
  const x = testInput([4, 5, 4, 1], 7);
  const perm = [2, 0, 3, 1];
  const xp = tf.gather(x, perm);
  for (const Method of [GradCAM, GradCAMPlusPlus, ScoreCAM]) {
    const a = await new Method(m).attribute(x, { target: [0, 1, 1, 0], internalBatchSize: 3 });
    const b = await new Method(m).attribute(xp, { target: perm.map((i) => [0, 1, 1, 0][i]), internalBatchSize: 1 });
    for (let i = 0; i < 4; i++) assertClose(b.sampleValues(i), a.sampleValues(perm[i]), 1e-5, 1e-4, Method.name);
  }
});

test('CAM on a functional graph with a skip connection matches an independent tf computation', async () => {
  const inp = tfl.input({ shape: [6, 6, 1] });
  const a = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'a', kernelInitializer: seeded(1), biasInitializer: seeded(2) }).apply(inp) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'b', kernelInitializer: seeded(3), biasInitializer: seeded(4) }).apply(a) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'add' }).apply([a, b]) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, name: 'out', kernelInitializer: seeded(5), biasInitializer: seeded(6) }).apply(gap) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: inp, outputs: out });
  const x = testInput([2, 6, 6, 1], 3);
  const [ka, ba] = m.getLayer('a').getWeights();
  const [kb, bb] = m.getLayer('b').getWeights();
  const [wd, bd] = m.getLayer('out').getWeights();
  const expected = tf.tidy(() => {
    const actA = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, ka as tf.Tensor4D, 1, 'same'), ba));
    const tail = (av: tf.Tensor) => {
      const s = tf.add(av, tf.add(tf.conv2d(av as tf.Tensor4D, kb as tf.Tensor4D, 1, 'same'), bb));
      return tf.add(tf.matMul(tf.mean(s, [1, 2]), wd as tf.Tensor2D), bd);
    };
    const g = tf.grad((av: tf.Tensor) => tf.sum(tf.gather(tail(av), 2, 1)))(actA);
    return tf.relu(tf.sum(tf.mul(actA, tf.mean(g, [1, 2], true)), -1)).dataSync();
  });
  const cam = await new GradCAM(m).attribute(x, { target: 2, layer: 'a' });
  assertClose(cam.values, expected, 1e-5, 1e-4);
  assert.ok(cam.values.some((v) => v > 1e-4), 'non-trivial map');
  // Default layer: the last convolution ('b'); its CAM needs the skip value of 'a' in the tail.
  const camB = await new GradCAM(m).attribute(x, { target: 2 });
  assert.equal(camB.grid?.layer, 'b');
  const abl = await new AblationCAM(m).attribute(x, { target: 2, layer: 'b', internalBatchSize: 1 });
  assert.equal(abl.values.length, 2 * 36);
});

test('EigenCAM of a rank-one activation is the centred input pattern (more positions than channels, and fewer)', async () => {
  // 16 positions x 3 channels (Gram matrix over channels), then 9 positions x 20 channels (over positions).
  for (const [side, v] of [[4, [0.5, 1, 2]], [3, Array.from({ length: 20 }, (_, j) => ((j % 7) - 3) / 4 + 0.1)]] as const) {
    const conv = tfl.layers.conv2d({ filters: v.length, kernelSize: 1, useBias: false, inputShape: [side, side, 1], name: 'c' });
    const m = tfl.sequential({ layers: [conv, tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
    conv.setWeights([tf.tensor4d([...v], [1, 1, 1, v.length])]);
    const x = testInput([1, side, side, 1], 2);
    const xv = Array.from(x.dataSync());
    const mean = xv.reduce((a, b) => a + b, 0) / xv.length;
    // The sign rule makes the map correlate with the channel sum, i.e. with sign(sum v) (x - mean).
    const norm = Math.hypot(...v) * Math.sign(v.reduce((a, b) => a + b, 0));
    const cam = await new EigenCAM(m).attribute(x, { layer: 'c' });
    assertClose(cam.values, xv.map((q) => Math.max(0, (q - mean) * norm)), 1e-4, 1e-3);
  }
});

test('ScoreCAM weights are softmax scores of the masked inputs', async () => {
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu', useBias: false, inputShape: [3, 3, 1], name: 'c' });
  const m = tfl.sequential({ layers: [conv, tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 2 })] });
  conv.setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2])]);
  m.layers[2].setWeights([tf.tensor2d([[1, 0], [0, 2]]), tf.tensor1d([0, 0])]);
  const x = testInput([1, 3, 3, 1], 4);
  const xv = Array.from(x.dataSync());
  const acts = [xv.map((q) => Math.max(0, q)), xv.map((q) => Math.max(0, -q))];
  const weights = acts.map((a) => {
    const lo = Math.min(...a), hi = Math.max(...a);
    const masked = tf.tensor4d(xv.map((q, i) => q * (a[i] - lo) / (hi - lo + 1e-7)), [1, 3, 3, 1]);
    const s = tf.tidy(() => tf.softmax(m.predict(masked) as tf.Tensor).dataSync()[1]);
    masked.dispose();
    return s;
  });
  const cam = await new ScoreCAM(m).attribute(x, { target: 1, internalBatchSize: 1 });
  assertClose(cam.values, xv.map((_, i) => Math.max(0, weights[0] * acts[0][i] + weights[1] * acts[1][i])), 1e-5, 1e-4);
});

test('CAM errors: bad layer lists valid layers; function models and dense-only layers refused', async () => {
  const { m } = camNet(2, [5, 4], 1, 2);
  const x = testInput([1, 5, 4, 1]);
  await assert.rejects(new GradCAM(m).attribute(x, { layer: 'nope' }), (e: unknown) => e instanceof InvalidInputError && /valid layers: conv/.test(e.message));
  await assert.rejects(new GradCAM(m).attribute(x, { layer: 'head' }), InvalidInputError);
  await assert.rejects(new GradCAM(m).attribute(testInput([1, 4, 4, 1])), /expects shape/);
  assert.throws(() => new GradCAM(((t: tf.Tensor) => t) as never), InvalidInputError);
  const dense = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
  await assert.rejects(new GradCAM(dense).attribute(tf.zeros([1, 3])), /no layer with a spatial output/);
});
