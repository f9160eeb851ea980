import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import { GradCAM } from '../../src/explain/gradcam.js';
import { AblationCAM } from '../../src/explain/ablationcam.js';
import { ScoreCAM } from '../../src/explain/scorecam.js';
import { AttentionRollout, GradientRollout } from '../../src/explain/rollout.js';
import { buildModel } from '../../src/models/index.js';
import { assertClose } from '../helpers.js';
import { seeded, testInput, useCpu } from './fixtures.js';

before(useCpu);

const GRID = { gridH: 2, gridW: 2 };

/** Prepends a class token of ones and carries the token grid in its config (as the zoo's layers do). */
class ToyClassToken extends tfl.layers.Layer {
  static className = 'ToyClassToken';
  override computeOutputShape(s: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [b, n, d] = s as tfl.Shape;
    return [b, (n as number) + 1, d];
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const t = Array.isArray(x) ? x[0] : x;
    return tf.concat([tf.ones([t.shape[0], 1, t.shape[2] as number]), t], 1);
  }
  override getConfig() {
    return { ...super.getConfig(), ...GRID, hasClassToken: true };
  }
}

/** Weight-free attention: probs = softmax(x x^T), out = probs x; exposes the rollout protocol. */
class ToyAttention extends tfl.layers.Layer {
  static className = 'ToyAttention';
  attentionProbs(x: tf.Tensor): tf.Tensor {
    return tf.expandDims(tf.softmax(tf.matMul(x as tf.Tensor3D, x as tf.Tensor3D, false, true)), 1);
  }
  attend(x: tf.Tensor, probs: tf.Tensor): tf.Tensor {
    return tf.matMul(tf.squeeze(probs, [1]) as tf.Tensor3D, x as tf.Tensor3D);
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const t = Array.isArray(x) ? x[0] : x;
    return this.attend(t, this.attentionProbs(t));
  }
}

/** input [4,4,1] -> patch conv (2x2, stride 2, D=2) -> tokens [4, 2] -> class token -> 2 attentions -> token mean -> dense. */
function toyVit() {
  const inp = tfl.input({ shape: [4, 4, 1] });
  const patch = tfl.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, name: 'patch', useBias: false });
  let t = tfl.layers.reshape({ targetShape: [4, 2], name: 'tokens' }).apply(patch.apply(inp)) as tfl.SymbolicTensor;
  t = new ToyClassToken({ name: 'cls' }).apply(t) as tfl.SymbolicTensor;
  t = new ToyAttention({ name: 'att1' }).apply(t) as tfl.SymbolicTensor;
  t = new ToyAttention({ name: 'att2' }).apply(t) as tfl.SymbolicTensor;
  const head = tfl.layers.dense({ units: 2, name: 'head', useBias: false });
  const m = tfl.model({ inputs: inp, outputs: head.apply(tfl.layers.globalAveragePooling1d({}).apply(t)) as tfl.SymbolicTensor });
  patch.setWeights([tf.tensor4d([0.5, -0.3, 0.2, 0.8, -0.6, 0.1, 0.4, 0.3], [2, 2, 1, 2])]);
  head.setWeights([tf.tensor2d([[1, -0.5], [-0.7, 0.9]])]);
  return { m, patchKernel: patch.getWeights()[0], headW: head.getWeights()[0] };
}

test('attention rollout and gradient rollout on a toy ViT equal independent tf computations', async () => {
  const { m, patchKernel, headW } = toyVit();
  const x = testInput([2, 4, 4, 1], 3);
  const target = 1;
  const { roll, grad } = tf.tidy(() => {
    const p = tf.reshape(tf.conv2d(x as tf.Tensor4D, patchKernel as tf.Tensor4D, 2, 'valid'), [2, 4, 2]);
    const t0 = tf.concat([tf.ones([2, 1, 2]), p], 1) as tf.Tensor3D;
    const probs = (t: tf.Tensor3D) => tf.softmax(tf.matMul(t, t, false, true));
    const a1 = probs(t0), t1 = tf.matMul(a1 as tf.Tensor3D, t0);
    const a2 = probs(t1 as tf.Tensor3D);
    const eye = tf.eye(5);
    const rolled = tf.matMul(tf.div(tf.add(a2, eye), 2), tf.div(tf.add(a1, eye), 2));
    const f = (b1: tf.Tensor, b2: tf.Tensor) => {
      const u1 = tf.matMul(b1 as tf.Tensor3D, t0);
      const u2 = tf.matMul(b2 as tf.Tensor3D, u1);
      return tf.sum(tf.gather(tf.matMul(tf.mean(u2, 1), headW as tf.Tensor2D), target, 1));
    };
    const [g1, g2] = tf.grads(f)([a1, a2]);
    let r: tf.Tensor = tf.broadcastTo(eye, [2, 5, 5]);
    r = tf.add(r, tf.matMul(tf.relu(tf.mul(g1, a1)) as tf.Tensor3D, r as tf.Tensor3D));
    r = tf.add(r, tf.matMul(tf.relu(tf.mul(g2, a2)) as tf.Tensor3D, r as tf.Tensor3D));
    const row = (q: tf.Tensor) => tf.slice(q, [0, 0, 1], [2, 1, 4]).dataSync();
    return { roll: row(rolled), grad: row(r) };
  });
  const ar = await new AttentionRollout(m).attribute(x, { upsample: false });
  assert.deepEqual(ar.shape, [2, 2, 2, 1]);
  assertClose(ar.values, roll, 1e-5);
  const gr = await new GradientRollout(m).attribute(x, { target, upsample: false });
  assertClose(gr.values, grad, 1e-5);
  assert.ok(gr.values.some((v) => Math.abs(v) > 1e-3) && ar.values.some((v) => v > 1e-3), 'non-trivial maps');
  assert.ok(gr.values.some((v, i) => Math.abs(v - ar.values[i]) > 1e-3), 'the two rollouts differ');
  const up = await new AttentionRollout(m).attribute(x);
  assert.deepEqual(up.shape, [2, 4, 4, 1]);
  assert.equal(up.grid?.upsampling, 'bilinear');
  await assert.rejects(new AttentionRollout(m).attribute(x, { headFusion: 'median' as never }), InvalidInputError);
  const noVit = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 1 }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
  await assert.rejects(new AttentionRollout(noVit).attribute(x), /token grid/);
});

test('Grad-CAM on a token layer uses the grid from the config: equals Grad-CAM on the patch conv', async () => {
  const { m } = toyVit();
  const x = testInput([2, 4, 4, 1], 5);
  // Without attention each token reaches the logits only through the mean, as a conv map through GAP.
  const inp = tfl.input({ shape: [4, 4, 1] });
  const patch = tfl.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, name: 'patch', kernelInitializer: seeded(1) });
  let t = tfl.layers.reshape({ targetShape: [4, 2], name: 'tokens' }).apply(patch.apply(inp)) as tfl.SymbolicTensor;
  t = new ToyClassToken({ name: 'cls' }).apply(t) as tfl.SymbolicTensor;
  const simple = tfl.model({ inputs: inp, outputs: tfl.layers.dense({ units: 2, kernelInitializer: seeded(2) }).apply(tfl.layers.globalAveragePooling1d({}).apply(t)) as tfl.SymbolicTensor });
  const onTokens = await new GradCAM(simple).attribute(x, { layer: 'cls', target: 0 });
  const onConv = await new GradCAM(simple).attribute(x, { layer: 'patch', target: 0 });
  assert.deepEqual(onTokens.shape, [2, 4, 4, 1]);
  assert.deepEqual(onTokens.grid?.shape, [2, 2]);
  assertClose(onTokens.values, onConv.values, 1e-6);
  for (const Method of [AblationCAM, ScoreCAM]) {
    const t = await new Method(simple).attribute(x, { layer: 'cls', target: 1, internalBatchSize: 1 });
    const c = await new Method(simple).attribute(x, { layer: 'patch', target: 1 });
    assertClose(t.values, c.values, 1e-5, 1e-4, Method.name);
  }
  // The token layers of the attention model are valid CAM layers too ('att2' output [N, 5, 2]).
  const c = await new GradCAM(m).attribute(x, { layer: 'att2', target: 0 });
  assert.ok(c.values.every(Number.isFinite));
  await assert.rejects(new GradCAM(m).attribute(x, { layer: 'head' }), /valid layers: patch, cls, att1, att2/);
});

test('zoo ViT (tiny, 2 blocks): Grad-CAM on the last norm1, attention and gradient rollout run end to end', async () => {
  const m = buildModel('vit-tiny', { inputShape: [32, 32, 3], numClasses: 2, patchSize: 8, depth: 2, width: 0.25, seed: 1 });
  const x = testInput([1, 32, 32, 3], 2);
  const before = tf.memory().numTensors;
  for (const a of [
    await new GradCAM(m).attribute(x, { layer: 'blocks.1.norm1', target: 1 }),
    await new AttentionRollout(m).attribute(x),
    await new GradientRollout(m).attribute(x, { target: 1 }),
  ]) {
    assert.deepEqual(a.shape, [1, 32, 32, 1]);
    assert.ok(a.values.every(Number.isFinite));
    assert.ok(Math.max(...a.values) > Math.min(...a.values), `${a.method} is not constant`);
  }
  assert.equal(tf.memory().numTensors, before, 'no leaks');
});
