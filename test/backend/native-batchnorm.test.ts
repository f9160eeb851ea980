import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { loadNativeAddon, nativeKernelHits, type NativeAddon } from '../../src/backend/native-addon.js';
import { FusedBatchNormalization, BATCH_NORM_TRAIN_KERNEL } from '../../src/models/fused-batchnorm.js';
import { BATCH_NORM_TRAIN_GRAD_KERNEL } from '../../src/backend/native-batchnorm.js';
import { batchNorm } from '../../src/models/blocks.js';
import { buildModel, createMetadata, deserializeModel, serializeModel } from '../../src/models/index.js';
import { nativeSkip, randn } from './native-helpers.js';

const MOMENTUM = 0.9;
const EPSILON = 1e-3;

interface Case {
  shape: number[];
  center: boolean;
  scale: boolean;
}

/** y, updated moving mean and variance, and gradients of sum(y * dy) wrt x, gamma, beta. */
interface Result {
  y: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  dx: Float32Array;
  dgamma?: Float32Array;
  dbeta?: Float32Array;
}

const present = <T>(v: T | undefined): v is T => v !== undefined;

/** Channel vectors of a case (gamma, beta, moving mean, moving variance), away from 0 and 1. */
function channelParams(c: number, seed: number): Float32Array[] {
  return [0, 1, 2, 3].map((k) => randn([c], seed + 10 + k).values.map((v) => (k === 1 || k === 2 ? v : 0.5 + Math.abs(v))));
}

/**
 * One training-mode application of a batch-norm layer on `backend`: the layer built by `make`,
 * with weights set from `params`, or (make undefined) the stock layer's composition written out
 * with tfjs ops, for configs the stock layer cannot train (rank 5, no scale or no center).
 */
async function runCase(backend: string, cs: Case, make: ((c: Case) => tfl.layers.Layer) | undefined, seed: number): Promise<Result> {
  await tf.setBackend(backend);
  const c = cs.shape[cs.shape.length - 1];
  const [gammaV, betaV, meanV, varV] = channelParams(c, seed);
  const xVar = tf.variable(tf.tensor(randn(cs.shape, seed).values.map((v) => v * 3 + 2), cs.shape));
  const dy = tf.tensor(randn(cs.shape, seed + 1).values, cs.shape);
  const gamma: tf.Variable | undefined = cs.scale ? tf.variable(tf.tensor1d(gammaV)) : undefined;
  const beta: tf.Variable | undefined = cs.center ? tf.variable(tf.tensor1d(betaV)) : undefined;
  const movingMean: tf.Variable = tf.variable(tf.tensor1d(meanV), false);
  const movingVariance: tf.Variable = tf.variable(tf.tensor1d(varV), false);
  let forward: () => tf.Tensor;
  let layer: tfl.layers.Layer | undefined;
  if (make) {
    layer = make(cs);
    layer.build(cs.shape);
    layer.setWeights([gamma, beta, movingMean, movingVariance].filter(present));
    forward = () => layer!.apply(xVar, { training: true }) as tf.Tensor;
  } else {
    const axes = cs.shape.slice(0, -1).map((_, i) => i);
    forward = () => {
      const { mean, variance } = tf.moments(xVar, axes);
      for (const [v, value] of [[movingMean, mean], [movingVariance, variance]] as const) {
        v.assign(tf.sub(v, tf.mul(tf.sub(v, value), 1 - MOMENTUM)));
      }
      let y = tf.mul(tf.sub(xVar, mean), tf.rsqrt(tf.add(variance, EPSILON)));
      if (gamma) y = tf.mul(y, gamma);
      return beta ? tf.add(y, beta) : y;
    };
  }
  const trainable = layer ? layer.trainableWeights.map((w) => w.read() as tf.Variable) : [gamma, beta].filter(present);
  let y!: Float32Array;
  const { grads } = tf.variableGrads(() => {
    const out = forward();
    y = Float32Array.from(out.dataSync());
    return tf.sum(tf.mul(out, dy)) as tf.Scalar;
  }, [xVar, ...trainable]);
  const read = (t: tf.Tensor | undefined) => (t ? Float32Array.from(t.dataSync()) : undefined);
  const stats = layer ? layer.getWeights().slice(-2) : [movingMean, movingVariance];
  const byName = (v: tf.Variable | undefined) => (v ? grads[v.name] : undefined);
  const result: Result = {
    y,
    movingMean: read(stats[0])!,
    movingVariance: read(stats[1])!,
    dx: read(grads[xVar.name])!,
    dgamma: read(layer ? (cs.scale ? grads[trainable[0].name] : undefined) : byName(gamma)),
    dbeta: read(layer ? (cs.center ? grads[trainable[trainable.length - 1].name] : undefined) : byName(beta)),
  };
  tf.dispose([xVar, dy, gamma, beta, movingMean, movingVariance].filter(present));
  tf.dispose(Object.values(grads));
  // Built by hand, so Layer.dispose() refuses: dispose the weights.
  for (const w of layer?.weights ?? []) w.dispose();
  return result;
}

/**
 * Asserts every array of `actual` matches `expected` within `tol` relative to its largest
 * magnitude, at least 1: with 1 or 2 values per channel dx is pure cancellation (~0, xhat is 0
 * or +-1) and cpu's float32 composition is the less exact one (checked against float64: native
 * 1e-7 off, cpu 6e-5 off).
 */
function assertClose(t: TestContext, label: string, actual: Result, expected: Result, tol: number): void {
  let worst = 0;
  for (const key of Object.keys(expected) as (keyof Result)[]) {
    const e = expected[key], a = actual[key];
    if (!e) {
      assert.equal(a, undefined, `${label} ${key}`);
      continue;
    }
    assert.ok(a && a.length === e.length, `${label} ${key} size`);
    const scale = Math.max(1, ...e.map(Math.abs));
    for (let i = 0; i < e.length; i++) {
      const err = Math.abs(a[i] - e[i]);
      worst = Math.max(worst, err / scale);
      if (!(err <= tol * scale)) assert.fail(`${label} ${key}[${i}]: native ${a[i]} vs cpu ${e[i]}`);
    }
  }
  t.diagnostic(`${label}: max relative error ${worst.toExponential(2)}`);
}

const fused = (cs: Case) => new FusedBatchNormalization({ momentum: MOMENTUM, epsilon: EPSILON, center: cs.center, scale: cs.scale });
const stock = (cs: Case) => tfl.layers.batchNormalization({ momentum: MOMENTUM, epsilon: EPSILON, center: cs.center, scale: cs.scale });

test('fused training batch norm matches the stock layer on cpu: outputs, moving stats, gradients', { skip: nativeSkip }, async (t) => {
  const before = new Map(nativeKernelHits());
  const shapes = [[6, 1], [5, 3], [64, 17], [3, 7, 5], [2, 1, 9], [4, 5, 6, 3], [2, 9, 7, 1], [3, 8, 8, 64], [1, 1, 1, 4], [2, 3, 4, 5, 6]];
  for (const [i, shape] of shapes.entries()) {
    const cs = { shape, center: true, scale: true };
    // The stock layer trains ranks 2-4 only; rank 5 is checked against its composition.
    const expected = await runCase('cpu', cs, shape.length <= 4 ? stock : undefined, i);
    assertClose(t, `[${shape}]`, await runCase('native', cs, fused, i), expected, 2e-5);
  }
  assert.ok((nativeKernelHits().get(BATCH_NORM_TRAIN_KERNEL) ?? 0) >= (before.get(BATCH_NORM_TRAIN_KERNEL) ?? 0) + shapes.length);
  assert.ok((nativeKernelHits().get(BATCH_NORM_TRAIN_GRAD_KERNEL) ?? 0) >= (before.get(BATCH_NORM_TRAIN_GRAD_KERNEL) ?? 0) + shapes.length);
});

test('fused training batch norm without scale and/or center matches the composed stock maths', { skip: nativeSkip }, async (t) => {
  // The stock layer throws in training without gamma or beta; the fused one trains.
  await tf.setBackend('cpu');
  assert.throws(() => stock({ shape: [4, 3], center: false, scale: true }).apply(tf.ones([4, 3]), { training: true }));
  const cases: Case[] = [
    { shape: [7, 4], center: false, scale: true }, { shape: [2, 5, 3], center: true, scale: false },
    { shape: [2, 4, 3, 5], center: false, scale: false }, { shape: [2, 2, 3, 3, 1], center: false, scale: false },
  ];
  for (const [i, cs] of cases.entries()) {
    assertClose(t, `[${cs.shape}] center ${cs.center} scale ${cs.scale}`, await runCase('native', cs, fused, 50 + i), await runCase('cpu', cs, undefined, 50 + i), 2e-5);
  }
});

test('the fused layer falls back to the stock one on cpu and for inference', { skip: nativeSkip }, async (t) => {
  const cs = { shape: [3, 4, 4, 5], center: true, scale: true };
  assertClose(t, 'cpu fallback', await runCase('cpu', cs, fused, 7), await runCase('cpu', cs, stock, 7), 0);
  await tf.setBackend('native');
  const before = nativeKernelHits().get(BATCH_NORM_TRAIN_KERNEL) ?? 0;
  const layer = fused(cs);
  const x = tf.randomNormal(cs.shape, 0, 1, 'float32', 3);
  const ref = stock(cs);
  const yInfer = layer.apply(x, { training: false }) as tf.Tensor;
  const yStock = ref.apply(x, { training: false }) as tf.Tensor;
  assert.deepEqual(yInfer.dataSync(), yStock.dataSync());
  assert.equal(nativeKernelHits().get(BATCH_NORM_TRAIN_KERNEL) ?? 0, before);
  tf.dispose([x, yInfer, yStock]);
  layer.dispose();
  ref.dispose();
});

test('gradients wrt only the input or only the weights leak no tensors', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const layer = batchNorm('bn_leak');
  const x = tf.randomNormal([4, 3, 3, 6], 0, 1, 'float32', 1);
  layer.apply(x, { training: true });
  const start = tf.memory().numTensors;
  const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.square(layer.apply(v, { training: true }) as tf.Tensor)))(x);
  dx.dispose();
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
  assert.equal(Object.keys(grads).length, 2);
  tf.dispose([value, ...Object.values(grads)]);
  assert.equal(tf.memory().numTensors, start);
  x.dispose();
  layer.dispose();
});

test('native kernels match float64 maths on a large tensor far from zero (threaded path)', { skip: nativeSkip }, () => {
  const addon = loadNativeAddon() as NativeAddon;
  // 2.2M elements (past the threading threshold), 5 channels, rows not a multiple of the group
  // width; mean 1000 and std ~1 per channel: a naive E[x^2] - E[x]^2 in float would lose it all.
  const c = 5, rows = 440_003, n = rows * c, eps = 1e-5;
  const x = randn([n], 1).values.map((v, i) => 1000 + (i % c) + v * (1 + (i % c) / 4));
  const dy = randn([n], 2).values;
  const scale = Float32Array.from([1.5, -0.5, 2, 0.25, 1]), offset = Float32Array.from([0.1, 0.2, -0.3, 0, 1]);
  const y = new Float32Array(n), mean = new Float32Array(c), variance = new Float32Array(c);
  addon.batchNormTrain(c, eps, x, scale, offset, y, mean, variance);
  const dx = new Float32Array(n), dscale = new Float32Array(c), doffset = new Float32Array(c);
  addon.batchNormTrainGrad(c, eps, dy, x, mean, variance, scale, dx, dscale, doffset);
  for (let j = 0; j < c; j++) {
    let m = 0, v = 0, sdy = 0, sdyh = 0;
    for (let i = j; i < n; i += c) m += x[i];
    m /= rows;
    for (let i = j; i < n; i += c) v += (x[i] - m) ** 2;
    v /= rows;
    const is = 1 / Math.sqrt(v + eps);
    for (let i = j; i < n; i += c) {
      sdy += dy[i];
      sdyh += dy[i] * (x[i] - m) * is;
    }
    assert.ok(Math.abs(mean[j] - m) < 1e-4, `mean ${j}: ${mean[j]} vs ${m}`);
    assert.ok(Math.abs(variance[j] - v) < 1e-5 * v + 1e-6, `variance ${j}: ${variance[j]} vs ${v}`);
    assert.ok(Math.abs(doffset[j] - sdy) < 1e-6 * rows, `doffset ${j}`);
    assert.ok(Math.abs(dscale[j] - sdyh) < 1e-6 * rows, `dscale ${j}`);
    for (let i = j; i < n; i += 9973 * c) {
      const h = (x[i] - m) * is;
      assert.ok(Math.abs(y[i] - (h * scale[j] + offset[j])) < 1e-4, `y[${i}]`);
      const g = scale[j] * is * (dy[i] - sdy / rows - h * sdyh / rows);
      assert.ok(Math.abs(dx[i] - g) < 1e-4 * Math.abs(scale[j] * is), `dx[${i}]: ${dx[i]} vs ${g}`);
    }
  }
});

/** One SGD step of a small conv + batch-norm net on `backend`: loss and all weights after the step. */
async function trainStep(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }));
  m.add(batchNorm('bn1'));
  m.add(tfl.layers.reLU());
  m.add(tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, kernelInitializer: init(2) }));
  m.add(batchNorm('bn2'));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 3, kernelInitializer: init(3) }));
  const x = tf.tensor(randn([4, 12, 12, 3], 9).values, [4, 12, 12, 3]);
  const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
  const opt = tf.train.sgd(0.1);
  const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
  const out = [Float32Array.from(loss.dataSync()), ...m.getWeights().map((w) => Float32Array.from(w.dataSync()))];
  tf.dispose([x, labels, loss]);
  opt.dispose();
  m.dispose();
  return out;
}

test('a training step of a small conv + batch-norm net matches cpu', { skip: nativeSkip }, async () => {
  const before = nativeKernelHits().get(BATCH_NORM_TRAIN_GRAD_KERNEL) ?? 0;
  const expected = await trainStep('cpu');
  const actual = await trainStep('native');
  assert.ok((nativeKernelHits().get(BATCH_NORM_TRAIN_GRAD_KERNEL) ?? 0) >= before + 2);
  expected.forEach((e, i) => {
    // Floor: conv2's bias gradient is ~0 (batch norm cancels it), its values are rounding noise.
    const scale = Math.max(1e-3, ...e.map(Math.abs));
    e.forEach((v, j) => assert.ok(Math.abs(actual[i][j] - v) <= 1e-4 * scale, `array ${i}[${j}]: native ${actual[i][j]} vs cpu ${v}`));
  });
});

test('save/load keeps the stock BatchNormalization class name and loads the fused layer', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const model = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, seed: 3, width: 0.25 });
  const metadata = createMetadata({
    arch: 'cnn64', task: 'test', classNames: ['a', 'b'], inputShape: [16, 16, 1],
    preprocessing: { mean: [0.5], std: [0.25] }, trainingDataHash: `sha256:${'ab'.repeat(32)}`,
  });
  const files = await serializeModel(model, metadata);
  const json = new TextDecoder().decode(files.modelJson);
  assert.match(json, /"class_name":"BatchNormalization"/);
  assert.doesNotMatch(json, /Fused|Medlens/);
  const loaded = await deserializeModel(files);
  const bns = loaded.model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  assert.ok(bns.length > 0 && bns.every((l) => l instanceof FusedBatchNormalization));
  const before = nativeKernelHits().get(BATCH_NORM_TRAIN_KERNEL) ?? 0;
  const y = loaded.model.apply(tf.ones([2, 16, 16, 1]), { training: true }) as tf.Tensor;
  assert.ok((nativeKernelHits().get(BATCH_NORM_TRAIN_KERNEL) ?? 0) >= before + bns.length);
  tf.dispose(y);
  model.dispose();
  loaded.model.dispose();
});
