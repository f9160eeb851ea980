import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { DeletionMask, learnDeletionMask } from '../../src/explain/deletion-mask.js';
import { explain } from '../../src/explain/explain.js';
import { InvalidInputError } from '../../src/errors.js';
import { useCpu } from './fixtures.js';

/** Score = sum of w * x over a box (w = 1 inside, 0 outside): only the box matters. */
function boxModel(sampleShape: number[], inBox: (pos: number[]) => boolean): { fn: (x: tf.Tensor) => tf.Tensor; box: Uint8Array } {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const box = new Uint8Array(size);
  const pos = new Array(sampleShape.length).fill(0);
  for (let i = 0; i < size; i++) {
    box[i] = inBox(pos) ? 1 : 0;
    for (let a = sampleShape.length - 1; a >= 0; a--) {
      if (++pos[a] < sampleShape[a]) break;
      pos[a] = 0;
    }
  }
  const w = tf.tensor1d(Float32Array.from(box));
  const fn = (x: tf.Tensor) => {
    const s = tf.sum(tf.mul(tf.reshape(x, [x.shape[0], size]), w), 1);
    return tf.stack([s, tf.neg(s)], 1);
  };
  return { fn, box };
}

function iou(mask: Float32Array, truth: Uint8Array, threshold = 0.5): number {
  let inter = 0, union = 0;
  for (let i = 0; i < truth.length; i++) {
    const a = mask[i] > threshold, b = truth[i] === 1;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union ? inter / union : 0;
}

const positive = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 1 + 0.5 * Math.sin(i * 0.7)), shape);

test('deletion mask concentrates on the only relevant window of a 1D signal and deleting it drops the score', async () => {
  await useCpu();
  const { fn, box } = boxModel([64, 1], ([t]) => t >= 20 && t < 36);
  const x = positive([1, 64, 1]);
  const r = await learnDeletionMask(fn, x, { target: 0, perturbation: 0, grid: [16], steps: 150, learningRate: 0.2, lambdaArea: 1, lambdaTv: 0.1 });
  const m = r.attribution.values;
  assert.deepEqual(r.attribution.shape, [1, 64, 1]);
  const overlap = iou(m, box);
  assert.ok(overlap > 0.75, `IoU ${overlap}`);
  assert.ok(r.deletedScores[0] < 0.2 * r.baseScores[0], `deleted ${r.deletedScores[0]} vs base ${r.baseScores[0]}`);
  // the trace records a decreasing loss
  assert.equal(r.trace.length, 150);
  assert.ok(r.trace[149].loss < r.trace[0].loss - 0.3);
  // window mass: the mask is high inside and low outside
  let inside = 0, outside = 0;
  box.forEach((b, i) => (b ? (inside += m[i] / 16) : (outside += m[i] / 48)));
  assert.ok(inside > 0.8 && outside < 0.2, `inside ${inside} outside ${outside}`);
  x.dispose();
});

test('deletion mask per lead finds the relevant lead; area constraint deletes the requested fraction', async () => {
  await useCpu();
  const { fn, box } = boxModel([32, 2], ([t, c]) => c === 1 && t >= 8 && t < 16);
  const x = positive([1, 32, 2]);
  const r = await learnDeletionMask(fn, x, { target: 0, perturbation: 0, grid: [8], perLead: true, steps: 150, learningRate: 0.2 });
  assert.ok(iou(r.attribution.values, box) > 0.6, `IoU ${iou(r.attribution.values, box)}`);
  const ex = await learnDeletionMask(fn, x, { target: 0, perturbation: 0, grid: [8], perLead: true, area: 0.125, steps: 150, learningRate: 0.2, lambdaTv: 0 });
  const mean = ex.attribution.values.reduce((a, b) => a + b, 0) / ex.attribution.values.length;
  assert.ok(Math.abs(mean - 0.125) < 0.04, `mean mask ${mean}`);
  assert.ok(iou(ex.attribution.values, box) > 0.6, `extremal IoU ${iou(ex.attribution.values, box)}`);
  assert.ok(ex.deletedScores[0] < 0.3 * ex.baseScores[0], `extremal deleted ${ex.deletedScores[0]} of ${ex.baseScores[0]}`);
  x.dispose();
});

test('deletion mask on a 2D image and a 3D volume finds the box; blur, noise and infill functions run', async () => {
  await useCpu();
  const img = boxModel([16, 16, 1], ([h, w]) => h >= 4 && h < 12 && w >= 8 && w < 16);
  const x2 = positive([1, 16, 16, 1]);
  const r2 = await learnDeletionMask(img.fn, x2, { target: 0, perturbation: 0, grid: [4, 4], steps: 120, learningRate: 0.2 });
  assert.ok(iou(r2.attribution.values, img.box) > 0.6, `2D IoU ${iou(r2.attribution.values, img.box)}`);
  const vol = boxModel([8, 8, 8, 1], ([d]) => d < 4);
  const x3 = positive([1, 8, 8, 8, 1]);
  const r3 = await learnDeletionMask(vol.fn, x3, { target: 0, perturbation: 0, grid: [2, 2, 2], steps: 100, learningRate: 0.2 });
  assert.ok(iou(r3.attribution.values, vol.box) > 0.6, `3D IoU ${iou(r3.attribution.values, vol.box)}`);
  // infill function used as reference: zero fill behaves like perturbation 0
  let calls = 0;
  const zeroFill = (x: tf.Tensor, m: tf.Tensor) => { calls++; return tf.mul(x, tf.sub(1, m)); };
  const oneD = boxModel([64, 1], ([t]) => t >= 20 && t < 36);
  const x1 = positive([1, 64, 1]);
  const ri = await learnDeletionMask(oneD.fn, x1, { target: 0, perturbation: zeroFill, grid: [16], steps: 60, learningRate: 0.3, infillEvery: 10 });
  assert.equal(calls, 6);
  assert.ok(iou(ri.attribution.values, oneD.box) > 0.6, `infill IoU ${iou(ri.attribution.values, oneD.box)}`);
  for (const p of ['blur', 'noise', 'mean', 'infill'] as const) {
    const a = await explain(oneD.fn, x1, { method: 'DeletionMask', target: 0, perturbation: p, grid: [16], steps: 5 });
    assert.equal(a.values.length, 64);
    assert.ok(a.values.every((v) => v >= 0 && v <= 1));
  }
  const a2 = await explain(img.fn, x2, { method: 'DeletionMask', target: 0, perturbation: 'infill', grid: [4, 4], steps: 3, infillEvery: 1 });
  assert.deepEqual(a2.shape, [1, 16, 16, 1]);
  tf.dispose([x1, x2, x3]);
});

test('deletion mask rejects bad options', async () => {
  await useCpu();
  const { fn } = boxModel([16, 1], () => true);
  const x = positive([1, 16, 1]);
  const dm = new DeletionMask(fn);
  await assert.rejects(dm.attribute(x, { grid: [32] }), InvalidInputError);
  await assert.rejects(dm.attribute(x, { grid: [4, 4] }), /grid/);
  await assert.rejects(dm.attribute(x, { area: 1.5 }), /area/);
  await assert.rejects(dm.attribute(x, { steps: 0 }), /steps/);
  await assert.rejects(dm.attribute(x, { target: 0, perturbation: 'smudge' as never, steps: 1 }), /perturbation/);
  const img = positive([1, 4, 4, 1]);
  await assert.rejects(new DeletionMask(boxModel([4, 4, 1], () => true).fn).attribute(img, { perLead: true }), /perLead/);
  tf.dispose([x, img]);
});

test('linearResize equals the shared upsample (tfjs resizeBilinear, half-pixel) in 1D, 2D and 3D and rows sum to 1', async () => {
  await useCpu();
  const { linearResize, linearResizeMatrix } = await import('../../src/explain/mask-resize.js');
  const { upsample } = await import('../../src/explain/spatial.js');
  for (const [grid, size] of [[[5], [17]], [[3, 4], [7, 9]], [[2, 3, 2], [5, 6, 4]]] as const) {
    const x = tf.tensor(Float32Array.from({ length: grid.reduce((a, b) => a * b, 1) * 2 }, (_, i) => Math.cos(i)), [1, ...grid, 2]);
    const a = linearResize(x, [...size]).dataSync(), b = upsample(x, [...size]).dataSync();
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${grid} index ${i}: ${v} vs ${b[i]}`));
    x.dispose();
  }
  const m = linearResizeMatrix(3, 7);
  for (let r = 0; r < 7; r++) assert.ok(Math.abs(m[r * 3] + m[r * 3 + 1] + m[r * 3 + 2] - 1) < 1e-6);
});
