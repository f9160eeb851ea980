import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { FastConv2D, FastDense } from '../../src/models/fast-layers.js';
import { buildModel } from '../../src/models/index.js';
import { Rng } from '../../src/util/random.js';

await tf.setBackend('cpu');

type Make = (fast: boolean) => tfl.layers.Layer;
type Data = { shape: number[]; values: Float32Array };

function randn(shape: number[], seed: number): Data {
  const rng = new Rng(seed);
  return { shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) };
}

/** sum(y * fixed pseudo-random weights), so that gradients see a non-trivial dy. */
const weightedSum = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));

/**
 * Output without a tape, output under a tape, the input gradient and the gradients of every
 * weight of a layer built by `make` (weights set from seeded values), as flat arrays.
 */
function run(make: Make, fast: boolean, input: Data): Float32Array[] {
  const layer = make(fast);
  const x = tf.tensor(input.values, input.shape);
  layer.apply(x); // builds the weights
  layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(randn(w.shape, 50 + i).values, w.shape)));
  const out = tf.tidy(() => {
    const plain = layer.apply(x) as tf.Tensor;
    const { value, grads } = tf.variableGrads(() => weightedSum(layer.apply(x) as tf.Tensor) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    const dx = tf.grad((inp: tf.Tensor) => weightedSum(layer.apply(inp) as tf.Tensor))(x);
    const underTape = tf.grad((inp: tf.Tensor) => { const y = layer.apply(inp) as tf.Tensor; return tf.mul(tf.sum(y), 0); })(x);
    return [plain, value, dx, underTape, ...Object.values(grads)];
  });
  const values = out.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([...out, x]);
  layer.dispose();
  return values;
}

function assertClose(a: Float32Array[], b: Float32Array[], label: string): number {
  assert.equal(a.length, b.length, `${label}: output count`);
  let worst = 0;
  a.forEach((ai, i) => {
    assert.equal(ai.length, b[i].length, `${label}: output ${i} size`);
    for (let j = 0; j < ai.length; j++) worst = Math.max(worst, Math.abs(ai[j] - b[i][j]));
  });
  assert.ok(worst <= 1e-5, `${label}: max abs error ${worst}`);
  return worst;
}

/** Kernel names run by `fn` (nested ones included). */
async function kernelsOf(fn: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => tf.tidy(fn));
  return info.kernels.map((k) => k.name);
}

const convCases: { args: Parameters<typeof tfl.layers.conv2d>[0]; x: number[] }[] = [
  { args: { filters: 4, kernelSize: 3, padding: 'same', useBias: false }, x: [2, 7, 6, 3] },
  { args: { filters: 5, kernelSize: 3, strides: 2, padding: 'valid' }, x: [2, 9, 8, 3] },
  { args: { filters: 3, kernelSize: [1, 3], activation: 'relu' }, x: [1, 5, 6, 2] },
  { args: { filters: 2, kernelSize: 3, strides: [1, 2], padding: 'same', activation: 'elu' }, x: [2, 8, 8, 2] },
  { args: { filters: 3, kernelSize: 2, activation: 'sigmoid', padding: 'same' }, x: [2, 5, 5, 3] },
];

test('FastConv2D gives the stock Conv2D outputs, input and weight gradients', (t) => {
  for (const c of convCases) {
    const make: Make = (fast) => (fast ? new FastConv2D(c.args) : tfl.layers.conv2d(c.args));
    const input = randn(c.x, 3);
    const label = JSON.stringify(c.args);
    t.diagnostic(`${label}: max abs error ${assertClose(run(make, true, input), run(make, false, input), label).toExponential(2)}`);
  }
});

test('FastDense gives the stock Dense outputs and gradients on rank-2 and rank-3 inputs', (t) => {
  const cases: { args: Parameters<typeof tfl.layers.dense>[0]; x: number[] }[] = [
    { args: { units: 4 }, x: [3, 5] },
    { args: { units: 3, activation: 'relu' }, x: [4, 6] },
    { args: { units: 5, activation: 'gelu', useBias: false }, x: [2, 3, 4] },
    { args: { units: 2, activation: 'tanh' }, x: [2, 2, 3, 4] },
  ];
  for (const c of cases) {
    const make: Make = (fast) => (fast ? new FastDense(c.args) : tfl.layers.dense(c.args));
    const input = randn(c.x, 5);
    const label = JSON.stringify(c.args);
    t.diagnostic(`${label}: max abs error ${assertClose(run(make, true, input), run(make, false, input), label).toExponential(2)}`);
  }
});

test('an input gradient through the fast layers computes no weight gradient', async () => {
  const input = tfl.input({ shape: [8, 8, 3] });
  const make = (fast: boolean) => {
    const conv = fast ? new FastConv2D({ filters: 4, kernelSize: 3, padding: 'same' }) : tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' });
    const flat = tfl.layers.flatten().apply(conv.apply(input)) as tfl.SymbolicTensor;
    const dense = fast ? new FastDense({ units: 3 }) : tfl.layers.dense({ units: 3 });
    return tfl.model({ inputs: input, outputs: dense.apply(flat) as tfl.SymbolicTensor });
  };
  const x = tf.randomNormal([2, 8, 8, 3]);
  const kernels = async (fast: boolean) => {
    const model = make(fast);
    const names = await kernelsOf(() => tf.grad((inp: tf.Tensor) => tf.sum(model.predict(inp) as tf.Tensor))(x));
    model.dispose();
    return names;
  };
  const stock = await kernels(false), fast = await kernels(true);
  // Stock: the fused ops' custom gradients compute the filter gradient and one more matmul.
  assert.ok(stock.includes('Conv2DBackpropFilter'));
  assert.ok(!fast.includes('Conv2DBackpropFilter'), fast.join());
  assert.ok(fast.includes('Conv2DBackpropInput'));
  const matmuls = (names: string[]) => names.filter((n) => n === 'BatchMatMul' || n === '_FusedMatMul').length;
  assert.equal(matmuls(fast), matmuls(stock) - 1);
  // Inference (no tape) keeps the stock fused kernels.
  const model = make(true);
  assert.ok((await kernelsOf(() => model.predict(x) as tf.Tensor)).includes('FusedConv2D'));
  model.dispose();
  x.dispose();
});

test('saved models keep the stock classNames and load as the fast classes', async () => {
  const model = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 3, seed: 1, width: 0.25 });
  assert.ok(model.layers.some((l) => l instanceof FastConv2D) && model.layers.some((l) => l instanceof FastDense));
  const json = model.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
  const classNames = json.config.layers.map((l) => l.class_name);
  assert.ok(classNames.includes('Conv2D') && classNames.includes('Dense'));
  assert.ok(!classNames.some((n) => n.startsWith('Fast')));
  const loaded = await tfl.models.modelFromJSON({ modelTopology: json } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  loaded.setWeights(model.getWeights());
  assert.ok(loaded.layers.filter((l) => l.getClassName() === 'Conv2D').every((l) => l instanceof FastConv2D));
  assert.ok(loaded.layers.filter((l) => l.getClassName() === 'Dense').every((l) => l instanceof FastDense));
  const x = tf.randomNormal([2, 16, 16, 1]);
  const a = (model.predict(x) as tf.Tensor).dataSync(), b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.deepEqual(Array.from(a), Array.from(b));
  tf.dispose([x]);
  model.dispose();
  loaded.dispose();
});
