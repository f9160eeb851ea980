import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelStats, selectClasses, standardize, zscoreRows } from '../../src/train/preprocess.js';
import { InvalidInputError } from '../../src/errors.js';

test('channel statistics and standardisation (known values, channels last)', () => {
  // two channels: c0 = 1, 3 (mean 2, std 1); c1 = 5, 5 (constant -> std 1)
  const x = new Float32Array([1, 5, 3, 5]);
  const s = channelStats(x, 2);
  assert.deepEqual(s, { mean: [2, 5], std: [1, 1] });
  assert.deepEqual(Array.from(standardize(x, s.mean, s.std)), [-1, 0, 1, 0]);
  assert.throws(() => standardize(new Float32Array(3), [0, 0], [1, 1]), InvalidInputError);
});

test('selectClasses keeps and renumbers the named classes', () => {
  const ds = { x: new Float32Array([0, 1, 2, 3, 4]), y: new Int32Array([0, 1, 2, 4, 2]), shape: [5, 1, 1], classNames: ['N', 'S', 'V', 'F', 'Q'], groups: ['a', 'b', 'c', 'd', 'e'] };
  const s = selectClasses(ds, ['V', 'N']);
  assert.deepEqual(Array.from(s.y), [1, 0, 0]);
  assert.deepEqual(Array.from(s.x), [0, 2, 4]);
  assert.deepEqual(s.groups, ['a', 'c', 'e']);
  assert.deepEqual(s.classNames, ['V', 'N']);
  assert.throws(() => selectClasses(ds, ['N', 'X']), /'X' is not a class/);
});

test('zscoreRows standardises each row on its own', () => {
  const out = zscoreRows(new Float32Array([1, 3, 5, 5]), 2);
  assert.deepEqual(Array.from(out), [-1, 1, 0, 0]);
});
