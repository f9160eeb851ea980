import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { InvalidInputError } from '../../src/errors.js';
import { assertClose } from '../helpers.js';
import { buildModel, MultiHeadSelfAttention, tokenGridOf, withAttentionOutputs } from '../../src/models/index.js';
import { Rng } from '../../src/util/random.js';

await initNodeBackend();

/** Plain-JS multi-head self-attention, the reference for the layer (x [N, D], weights row-major). */
function referenceAttention(x: number[][], wqkv: Float32Array, bqkv: Float32Array, wp: Float32Array, bp: Float32Array, heads: number) {
  const n = x.length;
  const d = x[0].length;
  const hd = d / heads;
  const qkv = x.map((row) => Array.from({ length: 3 * d }, (_, j) => bqkv[j] + row.reduce((s, v, i) => s + v * wqkv[i * 3 * d + j], 0)));
  const ctx = x.map(() => new Array<number>(d).fill(0));
  const probs: number[][][] = [];
  for (let h = 0; h < heads; h++) {
    const q = (t: number, c: number) => qkv[t][0 * d + h * hd + c];
    const k = (t: number, c: number) => qkv[t][1 * d + h * hd + c];
    const v = (t: number, c: number) => qkv[t][2 * d + h * hd + c];
    probs.push([]);
    for (let t = 0; t < n; t++) {
      const s = Array.from({ length: n }, (_, u) => {
        let acc = 0;
        for (let c = 0; c < hd; c++) acc += q(t, c) * k(u, c);
        return acc / Math.sqrt(hd);
      });
      const m = Math.max(...s);
      const e = s.map((z) => Math.exp(z - m));
      const sum = e.reduce((a, b) => a + b, 0);
      const p = e.map((z) => z / sum);
      probs[h].push(p);
      for (let c = 0; c < hd; c++) ctx[t][h * hd + c] = p.reduce((acc, pu, u) => acc + pu * v(u, c), 0);
    }
  }
  const out = ctx.map((row) => Array.from({ length: d }, (_, j) => bp[j] + row.reduce((s, vv, i) => s + vv * wp[i * d + j], 0)));
  return { out, probs };
}

test('MultiHeadSelfAttention matches a plain-JS reference, outputs and attention probabilities', () => {
  const [n, d, heads] = [5, 8, 2];
  const rng = new Rng(3);
  const layer = new MultiHeadSelfAttention({ name: 'attn', numHeads: heads, returnAttention: true, gridH: 2, gridW: 2, hasClassToken: true, seed: 1 });
  const inp = tfl.input({ shape: [n, d] });
  const [o, a] = layer.apply(inp) as tfl.SymbolicTensor[];
  const model = tfl.model({ inputs: inp, outputs: [o, a] });
  // Non-zero biases so the reference checks them too.
  const rand = (size: number) => Float32Array.from({ length: size }, () => rng.normal(0, 0.5));
  const ws = [rand(d * 3 * d), rand(3 * d), rand(d * d), rand(d)];
  layer.setWeights([tf.tensor(ws[0], [d, 3 * d]), tf.tensor(ws[1]), tf.tensor(ws[2], [d, d]), tf.tensor(ws[3])]);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const [y, p] = model.predict(tf.tensor([x])) as tf.Tensor[];
  const ref = referenceAttention(x, ws[0], ws[1], ws[2], ws[3], heads);
  assert.deepEqual(y.shape, [1, n, d]);
  assert.deepEqual(p.shape, [1, heads, n, n]);
  assertClose(y.dataSync(), ref.out.flat(), 1e-4, 1e-4, 'output');
  assertClose(p.dataSync(), ref.probs.flat(2), 1e-5, 1e-4, 'probs');
  // The explainer hooks: the same probabilities, and the same output from given probabilities.
  const xt = tf.tensor([x]);
  assertClose(layer.attentionProbs(xt).dataSync(), ref.probs.flat(2), 1e-5, 1e-4, 'attentionProbs');
  assertClose(layer.attend(xt, tf.tensor([ref.probs])).dataSync(), ref.out.flat(), 1e-4, 1e-4, 'attend');
  const uniform = tf.fill([1, heads, n, n], 1 / n);
  // Uniform attention: every token gets proj(mean of the values).
  const vOnly = x.map((row) => Array.from({ length: d }, (_, j) => ws[1][2 * d + j] + row.reduce((s, v, i) => s + v * ws[0][i * 3 * d + 2 * d + j], 0)));
  const avg = Array.from({ length: d }, (_, j) => vOnly.reduce((s, r) => s + r[j], 0) / n);
  const wantUniform = Array.from({ length: d }, (_, j) => ws[3][j] + avg.reduce((s, v, i) => s + v * ws[2][i * d + j], 0));
  assertClose(layer.attend(xt, uniform).dataSync(), Array.from({ length: n }, () => wantUniform).flat(), 1e-4, 1e-4, 'uniform attention');
});

test('tokenGridOf reads the grid from the config; attention outputs are row-stochastic and keep the logits', async () => {
  const vit = buildModel('vit-tiny', { inputShape: [32, 48, 3], numClasses: 3, width: 0.25, depth: 2, patchSize: 8, seed: 5 });
  assert.deepEqual(tokenGridOf(vit), { gridH: 4, gridW: 6, hasClassToken: true });
  assert.deepEqual(vit.getLayer('blocks.1.norm1').outputShape, [null, 25, 48]);
  assert.equal(tokenGridOf(buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125 })), undefined);

  const x = tf.randomNormal([2, 32, 48, 3], 0, 1, 'float32', 9);
  const logits = vit.predict(x) as tf.Tensor;
  const withAttn = await withAttentionOutputs(vit);
  const outs = withAttn.predict(x) as tf.Tensor[];
  assert.equal(outs.length, 3);
  assertClose(outs[0].dataSync(), logits.dataSync(), 1e-6, 1e-6, 'logits unchanged');
  for (const a of outs.slice(1)) {
    assert.deepEqual(a.shape, [2, 3, 25, 25]);
    const rowSums = tf.sum(a, -1).dataSync();
    assertClose(rowSums, new Float32Array(rowSums.length).fill(1), 1e-5, 0, 'rows sum to 1');
  }
  // Built directly with attention outputs: same weights from the same seed, same outputs.
  const direct = buildModel('vit-tiny', { inputShape: [32, 48, 3], numClasses: 3, width: 0.25, depth: 2, patchSize: 8, seed: 5, attentionOutputs: true });
  const outs2 = direct.predict(x) as tf.Tensor[];
  outs.forEach((t, i) => assertClose(outs2[i].dataSync(), t.dataSync(), 1e-6, 1e-6, `output ${i}`));
  await assert.rejects(withAttentionOutputs(withAttn), InvalidInputError);
  await assert.rejects(withAttentionOutputs(buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125 })), /no self-attention layers/);
});
