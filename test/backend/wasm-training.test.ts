import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { registerFastGradients, tileGrad } from '../../src/backend/wasm-kernels/index.js';
import { randn, runOn, errors, compareWasmCpu } from './wasm-compare.js';

test.before(async () => {
  await initNodeBackend('wasm');
  registerFastGradients();
});

/** Reference Tile gradient by explicit index arithmetic. */
function tileGradReference(dy: Float32Array, xShape: number[], reps: number[]): Float32Array {
  const outShape = xShape.map((s, i) => s * reps[i]);
  const out = new Float32Array(xShape.reduce((a, b) => a * b, 1));
  const idx = new Array(outShape.length).fill(0);
  for (let flat = 0; flat < dy.length; flat++) {
    let xi = 0;
    for (let d = 0; d < xShape.length; d++) xi = xi * xShape[d] + (idx[d] % xShape[d]);
    out[xi] += dy[flat];
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

test('Tile gradient equals the explicit sum over repetitions on cpu and wasm', async (t) => {
  const cases: [number[], number[]][] = [[[3], [4]], [[2, 3], [3, 2]], [[1, 1, 5], [4, 6, 1]], [[4, 6, 1], [1, 1, 5]], [[2, 3, 4], [2, 1, 3]], [[2, 1, 3, 2], [2, 3, 2, 2]], [[3, 2], [1, 1]], [[2, 2, 2, 2, 2], [1, 2, 1, 3, 1]]];
  for (const backend of ['cpu', 'wasm']) {
    for (const [i, [shape, reps]] of cases.entries()) {
      const outShape = shape.map((s, k) => s * reps[k]);
      const dy = randn(outShape, 300 + i);
      const [viaGrad, direct] = await runOn(backend, () => {
        const x = tf.tensor(randn(shape, i), shape);
        const w = tf.tensor(dy, outShape);
        return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tile(v, reps), w)))(x), tileGrad(w, shape, reps)];
      });
      const ref = tileGradReference(dy, shape, reps);
      const e = Math.max(errors(viaGrad, ref).rel, errors(direct, ref).rel);
      assert.ok(e < 1e-6, `${backend} tile ${shape} x ${reps}: rel ${e}`);
    }
    t.diagnostic(`${backend}: tile gradient matches the reference on ${cases.length} shapes`);
  }
});

test('FusedBatchNorm gradient equals the gradient of the elementary formula (all inputs, cpu and wasm)', async (t) => {
  const shapes: { x: number[]; p: number[] }[] = [
    { x: [2, 4, 5, 3], p: [3] }, // conv BN: per-channel rank-1 parameters
    { x: [6, 4], p: [4] }, // dense BN (x becomes [1,1,6,4] inside)
    { x: [2, 5, 3], p: [2, 5, 3] }, // layer norm: tiled, full-shape parameters
    { x: [2, 5, 3], p: [2, 5, 1] }, // broadcast mean/variance of rank > 1
  ];
  for (const backend of ['cpu', 'wasm']) {
    for (const [i, { x: xs, p }] of shapes.entries()) {
      const eps = 1e-3;
      const make = () => ({
        x: tf.tensor(randn(xs, 400 + i), xs),
        mean: tf.tensor(randn(p, 410 + i), p),
        variance: tf.abs(tf.tensor(randn(p, 420 + i), p)),
        scale: tf.tensor(randn(p, 430 + i), p),
        offset: tf.tensor(randn(p, 440 + i), p),
        w: tf.tensor(randn(xs, 450 + i), xs),
      });
      const gradsOf = (f: (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.Tensor) => () => {
        const { x, mean, variance, scale, offset, w } = make();
        return tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(f(a, b, c, d, e), w)))([x, mean, variance, scale, offset]);
      };
      const fused = gradsOf((x, m, v, s, o) => tf.batchNorm(x, m, v, o, s, eps));
      const formula = gradsOf((x, m, v, s, o) => tf.add(tf.mul(tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, tf.scalar(eps)))), s), o));
      const a = await runOn(backend, fused);
      const b = await runOn(backend, formula);
      const worst = Math.max(...a.map((g, k) => errors(g, b[k]).rel));
      assert.ok(worst < 1e-5, `${backend} batchNorm x${xs} p${p}: rel ${worst}`);
      t.diagnostic(`${backend} batchNorm x[${xs}] params[${p}]: max rel err ${worst.toExponential(2)}`);
    }
  }
});

/**
 * A small conv net with BN, pooling and dense layers, weights fixed by seeded initializers. Convs
 * before BN have no bias: its exact gradient is 0, so comparing it would compare rounding noise.
 */
function smallNet(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotNormal({ seed });
  const input = tfl.input({ shape: [12, 12, 3] });
  let h = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.activation({ activation: 'relu' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, depthwiseInitializer: init(3) }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.averagePooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.dense({ units: 5, kernelInitializer: init(4) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: h });
}

test('whole small model: weight and input gradients on wasm match cpu', async (t) => {
  await tf.setBackend('cpu');
  const model = smallNet();
  const x = randn([4, 12, 12, 3], 7);
  const labels = [0, 3, 1, 4];
  const step = () => {
    const xt = tf.tensor4d(x, [4, 12, 12, 3]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 5);
    const lossOf = (inp: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, model.apply(inp, { training: true }) as tf.Tensor) as tf.Scalar;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xt), vars);
    const inputGrad = tf.grad(lossOf)(xt);
    return [...vars.map((v) => grads[v.name]), inputGrad];
  };
  const e = await compareWasmCpu('small model', step, 1e-4);
  t.diagnostic(`small model (conv, BN, depthwise, max/avg pool, dense): ${model.trainableWeights.length} weight grads + input grad, max abs ${e.abs.toExponential(2)} rel ${e.rel.toExponential(2)}`);
  model.dispose();
});

test('training steps on wasm keep the tensor count flat', async () => {
  await tf.setBackend('wasm');
  const model = smallNet();
  const optimizer = tf.train.sgd(0.01);
  const xt = tf.tensor4d(randn([4, 12, 12, 3], 8), [4, 12, 12, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(xt, { training: true }) as tf.Tensor) as tf.Scalar, true);
    const v = loss!.dataSync()[0];
    loss!.dispose();
    return v;
  };
  const first = step();
  step();
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 4; i++) last = step();
  assert.equal(tf.memory().numTensors, before, 'tensor count grew across training steps');
  assert.ok(last < first, `loss did not decrease: ${first} -> ${last}`);
  tf.dispose([xt, y]);
  optimizer.dispose();
  model.dispose();
});
