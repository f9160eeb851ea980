import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { Attribution } from '../../src/explain/attribution.js';
import { deletion, positionMask, positionRelevance, toInputTensor, fractionSteps, noisyLinearImputation, gridFeatures, cumulativeSteps } from '../../src/evaluate/index.js';
import { InvalidInputError } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/progress.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { linearAttribution, linearModel, positives } from './fixtures.js';

test('attribution convention: one value per position; channels are summed; tensors, Attributions and {values, shape} accepted', () => {
  const xShape = [2, 3, 2];
  const full = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const summed = [3, 7, 11, 15, 19, 23];
  assertClose(positionRelevance(full, xShape), summed);
  const t = tf.tensor(full, xShape);
  assertClose(positionRelevance(t, xShape), summed);
  t.dispose();
  assertClose(positionRelevance(new Attribution({ method: 'm', values: full, shape: xShape, rank: 1 }), xShape), summed);
  assertClose(positionRelevance({ values: summed, shape: [2, 3] }, xShape), summed);
  assert.throws(() => positionRelevance({ values: summed, shape: [3, 2] }, xShape), InvalidInputError);
  assert.throws(() => positionRelevance(Float32Array.from([1, Infinity, 0, 0, 0, 0]), xShape), /NaN or Inf/);
});

test('mask forms: per sample, shared, with channels (any channel), RelevanceTruth-like; wrong sizes throw', () => {
  const xShape = [2, 3, 2];
  assert.deepEqual(Array.from(positionMask([1, 0, 0, 0, 1, 0], xShape)), [1, 0, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(positionMask([0, 1, 0], xShape)), [0, 1, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(positionMask([0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], xShape)), [1, 0, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(positionMask({ relevance: Uint8Array.from([0, 0, 1]), shape: [1, 3] }, xShape)), [0, 0, 1, 0, 0, 1]);
  assert.throws(() => positionMask([1, 0], xShape), InvalidInputError);
  assert.throws(() => positionMask([NaN, 0, 0], xShape), InvalidInputError);
  assert.throws(() => toInputTensor({ data: new Float32Array(5), shape: [2, 3] }), InvalidInputError);
});

test('steps and grid helpers', () => {
  assert.deepEqual(fractionSteps(10, 4), [0, 3, 5, 8, 10]);
  assert.deepEqual(fractionSteps(2, 4), [0, 1, 2]);
  assert.deepEqual(cumulativeSteps(7, 3), [0, 3, 6, 7]);
  const g = gridFeatures([4, 4], [2, 2]);
  assert.equal(g.count, 4);
  assert.deepEqual(Array.from(g.ids), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
});

test('noisy linear imputation: a masked gap in a linear ramp is filled linearly (1D and 2D), kept values untouched', () => {
  const ramp = Float32Array.from({ length: 9 }, (_, i) => i);
  const mask = Float32Array.from({ length: 9 }, (_, i) => (i >= 3 && i <= 5 ? 1 : 0));
  assertClose(noisyLinearImputation(ramp.map((v, i) => (mask[i] ? 100 : v)), mask, [9, 1], new Rng(1), 0), ramp, 1e-4);
  // 2D plane z = r + 2c with a masked 2x2 hole: harmonic fill reproduces the plane.
  const plane = Float32Array.from({ length: 25 }, (_, i) => Math.floor(i / 5) + 2 * (i % 5));
  const hole = Float32Array.from({ length: 25 }, (_, i) => ([6, 7, 11, 12].includes(i) ? 1 : 0));
  assertClose(noisyLinearImputation(plane.map((v, i) => (hole[i] ? 0 : v)), hole, [5, 5, 1], new Rng(1), 0), plane, 1e-4);
  const noisy = noisyLinearImputation(plane, hole, [5, 5, 1], new Rng(1), 0.5);
  assert.ok(Math.abs(noisy[6] - plane[6]) > 1e-3 && noisy[0] === plane[0], 'noise on imputed values only');
});

test('a metric over 1,000 samples reports progress over samples and batches its forwards', async () => {
  const n = 1000;
  const w = positives(8, 1), xv = positives(n * 8, 2);
  const { fn, calls } = linearModel(w);
  const events: ProgressEvent[] = [];
  const before = tf.memory().numTensors;
  const scores = await deletion(fn, { data: xv, shape: [n, 8] }, 0, linearAttribution(xv, w), { steps: 4, internalBatchSize: 500, onProgress: (e) => events.push(e) });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(scores.length, n);
  assert.ok(scores.every(Number.isFinite));
  // 2 forwards for the labels (1,000 samples in chunks of 500), then 5,000 rows in chunks of 500.
  assert.equal(calls.n, 2 + 10);
  assert.equal(events.length, 10);
  assert.deepEqual(events.map((e) => e.done), [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
});

test('SLIC-lite superpixels never straddle a sharp edge (1D, 2D, 3D) and IROF runs on them', async () => {
  const { slicSegments, irof } = await import('../../src/evaluate/index.js');
  for (const spatial of [[40], [12, 12], [6, 6, 6]]) {
    const positions = spatial.reduce((a, b) => a * b, 1);
    // value 1 where the last axis is in its upper half (offset so the edge falls inside seed cells)
    const last = spatial[spatial.length - 1];
    const values = Float32Array.from({ length: positions }, (_, p) => ((p % last) >= Math.floor(last / 2) + 1 ? 1 : 0));
    const { ids, count } = slicSegments(values, spatial, 1, { nSegments: 8, compactness: 0.1 });
    assert.ok(count >= 2);
    const side = new Map<number, number>();
    for (let p = 0; p < positions; p++) {
      if (side.has(ids[p])) assert.equal(side.get(ids[p]), values[p], `segment ${ids[p]} crosses the edge in [${spatial}]`);
      else side.set(ids[p], values[p]);
    }
  }
  const w = positives(64, 3), xv = positives(128, 5);
  const { fn } = linearModel(w);
  const x = { data: xv, shape: [2, 8, 8, 1] };
  const a = linearAttribution(xv, w);
  const good = await irof(fn, x, 0, a, { segmentation: 'slic', nSegments: 9 });
  const bad = await irof(fn, x, 0, a.map((v) => -v), { segmentation: 'slic', nSegments: 9 });
  assert.ok(good[0] > bad[0] && good[1] > bad[1], `IROF ${good} > ${bad}`);
});
