import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendRrChannels, channelStats, selectClasses, standardize, zscoreRows } from '../../src/train/preprocess.js';
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

test('appendRrChannels adds prev/next RR over the record mean as constant channels', () => {
  // record a: prev RR 1, 0.5 (mean 0.75); record b: prev RR 2 (mean 2)
  const r = appendRrChannels(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2, 1], new Float32Array([1, 1.5, 0.5, 1, 2, 3]), ['a', 'a', 'b']);
  assert.deepEqual(r.shape, [3, 2, 3]);
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));
  close(Array.from(r.x.subarray(0, 6)), [1, 1 / 0.75, 1.5 / 0.75, 2, 1 / 0.75, 1.5 / 0.75]);
  close(Array.from(r.x.subarray(6, 9)), [3, 0.5 / 0.75, 1 / 0.75]);
  close(Array.from(r.x.subarray(12, 15)), [5, 1, 1.5]);
  assert.throws(() => appendRrChannels(new Float32Array(4), [2, 2, 1], new Float32Array(3)), InvalidInputError);
});
