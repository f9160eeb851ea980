import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { FUSED_KERNELS as K, fusedAttention, fusedGelu, fusedLayerNorm, hasFusedKernel } from '../../src/backend/fused-ops.js';
import { Gelu, LayerNormalization } from '../../src/models/fused-layers.js';
import { MultiHeadSelfAttention } from '../../src/models/vit-layers.js';
import { compareWithCpu, nativeSkip, randn } from './native-helpers.js';

const weightedSum = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.mul(tf.range(0, y.size), 0.37), y.shape))));
/** Gradients of a weighted sum of all of f's outputs with respect to every input. */
const gradsOf = (f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) => (...xs: tf.Tensor[]) =>
  tf.grads((...a: tf.Tensor[]) => {
    const out = f(...a);
    return (Array.isArray(out) ? out : [out]).map(weightedSum).reduce((s, t) => tf.add(s, t)) as tf.Scalar;
  })(xs);

/** The stock tfjs-layers layer norm arithmetic (moments over the last axis, then batch norm). */
function stockLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** The stock attention core: q, k, v [B, H, N, hd] out of qkv [B, N, 3 * D], then softmax(q k^T / sqrt(hd)) v. */
function stockAttention(qkv: tf.Tensor, heads: number): tf.Tensor[] {
  const [b, n, d3] = qkv.shape;
  const hd = d3 / 3 / heads;
  const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [b, n, 3, heads, hd]), [2, 0, 3, 1, 4]));
  const probs = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)));
  return [tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [b, n, d3 / 3]), probs];
}

const layerNormOp = (eps: number) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => fusedLayerNorm(x, g, b, eps) ?? stockLayerNorm(x, g, b, eps);
const attentionOp = (heads: number) => (qkv: tf.Tensor) => fusedAttention(qkv, heads) ?? stockAttention(qkv, heads);
const geluOp = (x: tf.Tensor) => new Gelu().apply(x);

test('fused ops are absent on cpu: each returns null and the stock path runs', async () => {
  await tf.setBackend('cpu');
  for (const name of Object.values(K)) assert.equal(hasFusedKernel(name), false, name);
  tf.tidy(() => {
    assert.equal(fusedLayerNorm(tf.ones([2, 4]), tf.ones([4]), tf.zeros([4]), 1e-6), null);
    assert.equal(fusedGelu(tf.ones([3])), null);
    assert.equal(fusedAttention(tf.ones([1, 2, 6]), 1), null);
  });
});

test('MedlensLayerNorm matches the stock layer norm on cpu, gradients wrt x, gamma and beta too', { skip: nativeSkip }, async (t) => {
  const shapes = [[1, 1], [3, 7], [2, 5, 192], [4, 3, 2, 33], [40, 384]];
  for (const [i, shape] of shapes.entries()) {
    const d = shape[shape.length - 1];
    // An offset and scale per row so that the mean and variance matter.
    const x = randn(shape, 10 + i);
    x.values.forEach((v, j) => (x.values[j] = v * (1 + (j % 3)) + 5 * Math.floor(j / d)));
    const inputs = [x, randn([d], 20 + i), randn([d], 30 + i)];
    await compareWithCpu(t, `layerNorm ${shape}`, layerNormOp(1e-6), inputs, [K.layerNorm], 1e-5);
    await compareWithCpu(t, `layerNorm ${shape} grads`, gradsOf(layerNormOp(1e-3)), inputs, [K.layerNormGradInput, K.layerNormGradGamma], 2e-4);
  }
});

test('MedlensGelu matches the stock gelu activation on cpu, gradient too, far into both tails', { skip: nativeSkip }, async (t) => {
  for (const [i, shape] of [[1], [7, 9], [16, 17, 768]].entries()) {
    const x = randn(shape, 40 + i);
    x.values.forEach((v, j) => (x.values[j] = v * (j % 4 === 0 ? 6 : 1.5))); // tails up to |x| ~ 25
    await compareWithCpu(t, `gelu ${shape}`, geluOp, [x], [K.gelu], 5e-6);
    await compareWithCpu(t, `gelu ${shape} grad`, gradsOf(geluOp), [x], [K.geluGrad], 5e-6);
  }
});

test('MedlensAttention matches the stock attention core on cpu: context, probabilities, qkv gradient', { skip: nativeSkip }, async (t) => {
  const cases = [{ b: 1, n: 1, heads: 1, hd: 4 }, { b: 2, n: 5, heads: 2, hd: 4 }, { b: 3, n: 17, heads: 3, hd: 64 }, { b: 2, n: 65, heads: 2, hd: 16 }];
  for (const [i, c] of cases.entries()) {
    const inputs = [randn([c.b, c.n, 3 * c.heads * c.hd], 50 + i)];
    const label = `attention b${c.b} n${c.n} h${c.heads} hd${c.hd}`;
    await compareWithCpu(t, label, attentionOp(c.heads), inputs, [K.attention], 1e-5);
    // Through both outputs (the probabilities' own gradient joins in) and through the context only.
    await compareWithCpu(t, `${label} grads`, gradsOf(attentionOp(c.heads)), inputs, [K.attentionGrad], 1e-4);
    await compareWithCpu(t, `${label} context grad`, gradsOf((q) => attentionOp(c.heads)(q)[0]), inputs, [K.attentionGrad], 1e-4);
  }
});

test('LayerNormalization and MultiHeadSelfAttention layers: fused path matches cpu (outputs, input and weight gradients)', { skip: nativeSkip }, async (t) => {
  await tf.setBackend('cpu');
  const grid = { gridH: 2, gridW: 3, hasClassToken: true };
  const inp = tfl.input({ shape: [7, 24] });
  const norm = new LayerNormalization({ epsilon: 1e-6, name: 'ln', gammaInitializer: tfl.initializers.randomNormal({ seed: 2 }), betaInitializer: tfl.initializers.randomNormal({ seed: 3 }) });
  const attn = new MultiHeadSelfAttention({ name: 'attn', numHeads: 3, returnAttention: true, ...grid, seed: 4 });
  const [y, probs] = attn.apply(norm.apply(inp)) as tfl.SymbolicTensor[];
  const model = tfl.model({ inputs: inp, outputs: [y, probs] });
  const all = (x: tf.Tensor) => {
    const f = () => (model.apply(x) as tf.Tensor[]).map(weightedSum).reduce((s, v) => tf.add(s, v)) as tf.Scalar;
    const { grads } = tf.variableGrads(f);
    return [...(model.apply(x) as tf.Tensor[]), ...Object.values(grads), tf.grad(f)(x)];
  };
  await compareWithCpu(t, 'layer norm + attention layers', all, [randn([4, 7, 24], 60)], [K.layerNorm, K.attention, K.attentionGrad, K.layerNormGradInput], 1e-4);
  model.dispose();
});

test('saved models stay stock: className LayerNormalization and activation gelu, loading gives the fast classes', async () => {
  await tf.setBackend('cpu');
  const inp = tfl.input({ shape: [3, 8] });
  const out = tfl.layers.dense({ units: 8, activation: 'gelu' }).apply(new LayerNormalization({ epsilon: 1e-6 }).apply(inp)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: inp, outputs: out });
  const topology = JSON.stringify(model.toJSON(null, false));
  assert.match(topology, /"class_name":"LayerNormalization"/);
  assert.match(topology, /"activation":"gelu"/);
  assert.doesNotMatch(topology, /Medlens|Custom>/);
  const loaded = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(topology) });
  assert.ok(loaded.layers.some((l) => l instanceof LayerNormalization));
  const dense = loaded.layers.find((l) => l.getClassName() === 'Dense') as unknown as { activation: unknown };
  assert.ok(dense.activation instanceof Gelu);
  model.dispose();
  loaded.dispose();
});
