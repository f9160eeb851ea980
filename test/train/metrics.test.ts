import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  aurocOneVsRest,
  argmaxRows,
  balancedAccuracy,
  binaryAuroc,
  classificationReport,
  confusionMatrix,
  formatReport,
  macroF1,
  perClassScores,
} from '../../src/train/metrics.js';
import { InvalidInputError } from '../../src/errors.js';
import { Rng } from '../../src/util/random.js';

const yTrue = [0, 0, 1, 1, 2, 2, 2];
const yPred = [0, 1, 1, 1, 2, 0, 2];

test('confusion matrix, accuracy, per-class scores match hand-computed values', () => {
  assert.deepEqual(confusionMatrix(yTrue, yPred, 3), [
    [1, 1, 0],
    [0, 2, 0],
    [1, 0, 2],
  ]);
  assert.equal(accuracy(yTrue, yPred), 5 / 7);
  const s = perClassScores(confusionMatrix(yTrue, yPred, 3));
  assert.deepEqual(s.precision, [1 / 2, 2 / 3, 1]);
  assert.deepEqual(s.recall, [1 / 2, 1, 2 / 3]);
  assert.deepEqual(s.support, [2, 2, 3]);
  assert.ok(Math.abs(s.f1[0] - 0.5) < 1e-12 && Math.abs(s.f1[1] - 0.8) < 1e-12 && Math.abs(s.f1[2] - 0.8) < 1e-12);
  assert.ok(Math.abs(macroF1(yTrue, yPred, 3) - 0.7) < 1e-12);
  assert.ok(Math.abs(balancedAccuracy(yTrue, yPred, 3) - 13 / 18) < 1e-12);
});

test('a class never predicted nor present gets F1 0 and is left out of balanced accuracy', () => {
  const s = perClassScores(confusionMatrix([0, 1], [0, 1], 3));
  assert.deepEqual(s.f1, [1, 1, 0]);
  assert.equal(balancedAccuracy([0, 1], [0, 1], 3), 1);
  assert.ok(Math.abs(macroF1([0, 1], [0, 1], 3) - 2 / 3) < 1e-12);
});

test('binary AUROC handles ties exactly (hand-computed)', () => {
  // positives 0.9, 0.5, 0.1; negatives 0.9, 0.5: wins+ties/2 = (1 + 0.5) + 0.5 + 0 = 2 of 6 pairs
  assert.ok(Math.abs(binaryAuroc([1, 0, 1, 0, 1], [0.9, 0.9, 0.5, 0.5, 0.1]) - 2 / 6) < 1e-12);
  assert.equal(binaryAuroc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]), 1);
  assert.equal(binaryAuroc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0);
  assert.equal(binaryAuroc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5);
  assert.ok(Number.isNaN(binaryAuroc([1, 1], [0.1, 0.2])));
});

test('binary AUROC equals a brute-force pairwise count on random tied scores', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + rng.int(60);
    const labels = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    labels[0] = 1;
    labels[1] = 0;
    const scores = Array.from({ length: n }, () => Math.round(rng.next() * 5) / 5); // many ties
    let num = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          num += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    assert.ok(Math.abs(binaryAuroc(labels, scores) - num / pairs) < 1e-12, `trial ${trial}`);
  }
});

test('one-vs-rest AUROC per class and macro, argmax, full report', () => {
  // 3 samples x 3 classes; class 2 has no samples -> NaN and left out of the macro mean
  const scores = [0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.6, 0.3, 0.1];
  const y = [0, 1, 0];
  const r = aurocOneVsRest(y, scores, 3);
  assert.equal(r.perClass[0], 1);
  assert.equal(r.perClass[1], 1);
  assert.ok(Number.isNaN(r.perClass[2]));
  assert.equal(r.macro, 1);
  assert.deepEqual([...argmaxRows(scores, 3)], [0, 1, 0]);
  const rep = classificationReport(y, argmaxRows(scores, 3), ['N', 'V', 'S'], scores);
  assert.equal(rep.accuracy, 1);
  assert.equal(rep.macroAuroc, 1);
  assert.match(formatReport(rep), /macro AUROC 1\.000/);
});

test('bad labels and mismatched lengths are InvalidInputError', () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), InvalidInputError);
  assert.throws(() => confusionMatrix([0, 1], [0], 3), InvalidInputError);
  assert.throws(() => binaryAuroc([1, 0], [NaN, 1]), InvalidInputError);
  assert.throws(() => aurocOneVsRest([0, 1], [0.1, 0.2, 0.3], 2), InvalidInputError);
});
