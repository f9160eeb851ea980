import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { InvalidInputError } from '../../src/errors.js';
import {
  attributionLocalisation, auc, dice, evaluate, iou, overlapCurve, pointingGame, relevanceMassAccuracy, relevanceRankAccuracy, topKIntersection,
} from '../../src/evaluate/index.js';
import { Rng } from '../../src/util/random.js';
import { assertClose } from '../helpers.js';
import { sizeOf } from './fixtures.js';

const shapes: [string, number[]][] = [['1D', [2, 12, 3]], ['2D', [2, 6, 5, 1]], ['3D', [2, 3, 4, 4, 2]]];

/** Mask: the first third of the positions of each sample. */
function firstThird(n: number, positions: number): Float32Array {
  return Float32Array.from({ length: n * positions }, (_, i) => (i % positions < positions / 3 ? 1 : 0));
}

for (const [label, shape] of shapes) {
  const n = shape[0], c = shape[shape.length - 1], positions = sizeOf(shape.slice(1, -1));
  const x = { data: new Float32Array(sizeOf(shape)), shape };
  const mask = firstThird(n, positions);

  test(`${label}: pointing game hits when the maximum lies in the mask and misses otherwise`, async () => {
    const a = new Float32Array(n * positions);
    a[0 * positions + 1] = 5; // sample 0: max inside
    a[1 * positions + positions - 1] = 5; // sample 1: max outside
    assert.deepEqual(Array.from(await pointingGame(null, x, undefined, a, { mask })), [1, 0]);
  });

  test(`${label}: RelevanceMassAccuracy is the exact mass fraction; attributions with channels are summed`, async () => {
    const rng = new Rng(3);
    const full = Float32Array.from({ length: sizeOf(shape) }, () => rng.uniform(0, 1));
    const expected: number[] = [];
    for (let i = 0; i < n; i++) {
      let inside = 0, total = 0;
      for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) {
        const v = full[(i * positions + p) * c + k];
        total += v;
        if (mask[i * positions + p]) inside += v;
      }
      expected.push(inside / total);
    }
    assertClose(await relevanceMassAccuracy(null, x, undefined, tf.tensor(full, shape), { mask }), expected, 1e-6);
    assertClose(await attributionLocalisation(null, x, undefined, full, { mask }), expected, 1e-6);
    const weighted = await attributionLocalisation(null, x, undefined, full, { mask, weighted: true });
    const share = mask.slice(0, positions).reduce((a, b) => a + b, 0) / positions;
    assertClose(weighted, expected.map((e) => e / share), 1e-5);
  });

  test(`${label}: a perfect map scores best, a reversed one worst, a random one near chance`, async () => {
    const perfect = Float32Array.from(mask, (m, i) => m * 2 + (i % 7) * 0.01);
    const rev = perfect.map((v) => -v);
    const k = mask.slice(0, positions).reduce((a, b) => a + b, 0);
    assert.deepEqual(Array.from(await relevanceRankAccuracy(null, x, undefined, perfect, { mask })), [1, 1]);
    assert.deepEqual(Array.from(await relevanceRankAccuracy(null, x, undefined, rev, { mask })), [0, 0]);
    assert.deepEqual(Array.from(await topKIntersection(null, x, undefined, perfect, { mask, k })), [1, 1]);
    assertClose(await topKIntersection(null, x, undefined, perfect, { mask, k, conceptInfluence: true }), [positions / k, positions / k], 1e-5);
    assert.deepEqual(Array.from(await auc(null, x, undefined, perfect, { mask })), [1, 1]);
    assert.deepEqual(Array.from(await auc(null, x, undefined, rev, { mask })), [0, 0]);
    const binary = Float32Array.from(mask);
    assert.deepEqual(Array.from(await iou(null, x, undefined, binary, { mask })), [1, 1]);
    assert.deepEqual(Array.from(await dice(null, x, undefined, binary, { mask })), [1, 1]);
  });
}

test('ROC AUC of a random map is near 0.5 on a large mask', async () => {
  const shape = [4, 64, 64, 1], positions = 64 * 64;
  const rng = new Rng(11);
  const a = Float32Array.from({ length: 4 * positions }, () => rng.next());
  const mask = firstThird(4, positions);
  const scores = await evaluate('AUC', { x: { data: new Float32Array(sizeOf(shape)), shape }, attribution: a, mask });
  for (const s of scores) assert.ok(Math.abs(s - 0.5) < 0.03, `AUC ${s}`);
});

test('IoU / Dice curves by hand; a mask for one sample is shared by all', async () => {
  // relevance 0.05, 0.35, 0.65, 1 against mask 0 0 1 1
  const rel = [0.05, 0.35, 0.65, 1], m = [0, 0, 1, 1];
  assertClose(overlapCurve(rel, m, [0.3, 0.5, 0.9], 'iou'), [2 / 3, 1, 0.5], 1e-6);
  assertClose(overlapCurve(rel, m, [0.3, 0.5, 0.9], 'dice'), [0.8, 1, 2 / 3], 1e-6);
  const x = { data: new Float32Array(8), shape: [2, 4] };
  const s = await iou(null, x, undefined, Float32Array.from([...rel, ...rel]), { mask: m, thresholds: [0.3, 0.5, 0.9] });
  assertClose(s, [(2 / 3 + 1 + 0.5) / 3, (2 / 3 + 1 + 0.5) / 3], 1e-6);
});

test('missing mask, wrong shapes and NaN attributions throw InvalidInputError', async () => {
  const x = { data: new Float32Array(2 * 6 * 1), shape: [2, 6, 1] };
  const a = new Float32Array(12).fill(1);
  await assert.rejects(pointingGame(null, x, undefined, a, {}), (e: unknown) => e instanceof InvalidInputError && /mask/.test(e.message));
  await assert.rejects(pointingGame(null, x, undefined, new Float32Array(7), { mask: new Float32Array(12) }), InvalidInputError);
  await assert.rejects(pointingGame(null, x, undefined, a, { mask: new Float32Array(5) }), InvalidInputError);
  const bad = a.slice();
  bad[3] = NaN;
  await assert.rejects(relevanceMassAccuracy(null, x, undefined, bad, { mask: new Float32Array(12) }), /NaN/);
  await assert.rejects(evaluate('NoSuchMetric', { x, attribution: a }), /unknown metric/);
  await assert.rejects(pointingGame(null, { data: new Float32Array(3), shape: [2, 6, 1] }, undefined, a, {}), InvalidInputError);
});

test('a constant map scores as defined: AUC 0.5, mass = mask fraction, first position for the pointing game', async () => {
  const x = { data: new Float32Array(2 * 10), shape: [2, 10] };
  const mask = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
  const a = new Float32Array(20).fill(0.3);
  assert.deepEqual(Array.from(await auc(null, x, undefined, a, { mask })), [0.5, 0.5]);
  assertClose(await relevanceMassAccuracy(null, x, undefined, a, { mask }), [0.2, 0.2], 1e-6);
  assert.deepEqual(Array.from(await pointingGame(null, x, undefined, a, { mask })), [0, 0]);
  assert.deepEqual(Array.from(await pointingGame(null, x, undefined, a, { mask: [1, ...mask.slice(1)] })), [1, 1]);
});
