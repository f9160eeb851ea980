import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classCounts, classWeights, gatherBatch, subsetDataset, validateDataset, validationSplit } from '../../src/train/dataset.js';
import { InvalidInputError } from '../../src/errors.js';
import type { LabeledDataset } from '../../src/data/types.js';

function ds(n: number): LabeledDataset {
  return {
    x: Float32Array.from({ length: n * 2 }, (_, i) => i),
    y: Int32Array.from({ length: n }, (_, i) => i % 2),
    shape: [n, 2, 1],
    classNames: ['a', 'b'],
    groups: Array.from({ length: n }, (_, i) => `r${i % 5}`),
    fs: 360,
  };
}

test('balanced class weights are n / (k * count) as scikit-learn', () => {
  assert.deepEqual(classWeights([0, 0, 0, 1], 2, 'balanced'), [4 / 6, 2]);
  assert.deepEqual(classWeights([0, 0], 3, 'balanced'), [1 / 3, 0, 0]);
  assert.deepEqual(classWeights([0, 1], 2, [1, 3]), [1, 3]);
  assert.throws(() => classWeights([0, 1], 2, [1, -1]), InvalidInputError);
  assert.deepEqual(classCounts([0, 2, 2], 3), [1, 0, 2]);
});

test('subset and batch gathering copy the right rows', () => {
  const d = ds(4);
  const s = subsetDataset(d, [3, 1]);
  assert.deepEqual(Array.from(s.x), [6, 7, 2, 3]);
  assert.deepEqual(Array.from(s.y), [1, 1]);
  assert.deepEqual(s.shape, [2, 2, 1]);
  assert.deepEqual(s.groups, ['r3', 'r1']);
  assert.equal(s.fs, 360);
  assert.deepEqual(Array.from(gatherBatch(d, [0]).x), [0, 1]);
});

test('validation split by group keeps each group on one side and is seeded', () => {
  const d = ds(50);
  const a = validationSplit(d, 0.3, 1);
  const b = validationSplit(d, 0.3, 1);
  assert.deepEqual(a.validationGroups, b.validationGroups);
  const valGroups = new Set(a.validation.groups);
  assert.ok(a.train.groups!.every((g) => !valGroups.has(g)));
  assert.equal(a.train.shape[0] + a.validation.shape[0], 50);
  assert.equal(a.validation.shape[0], a.validationGroups!.length * 10);
  const bySample = validationSplit(d, 0.2, 1, false);
  assert.equal(bySample.validation.shape[0], 10);
  assert.throws(() => validationSplit(d, 1.5, 1), InvalidInputError);
});

test('validateDataset rejects inconsistent shapes, NaN and bad labels', () => {
  validateDataset(ds(3));
  assert.throws(() => validateDataset({ ...ds(3), shape: [4, 2, 1] }), /needs 8/);
  assert.throws(() => validateDataset({ ...ds(3), y: new Int32Array([0, 1]) }), /2 labels/);
  assert.throws(() => validateDataset({ ...ds(3), y: new Int32Array([0, 1, -1]) }), /label -1/);
  const x = ds(3).x.slice();
  x[4] = -Infinity;
  assert.throws(() => validateDataset({ ...ds(3), x }, 'training data'), /training data: value -Infinity/);
  assert.throws(() => validateDataset({ ...ds(3), classNames: ['a'] }), /at least 2/);
});
