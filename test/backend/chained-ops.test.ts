import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';

test('chained tensor methods forward to the functional ops', () => {
  const x = tf.tensor2d([[1, -2], [3, 4]]);
  const t = x as unknown as Record<string, (...a: unknown[]) => tf.Tensor>;
  assert.deepEqual(Array.from(t.sum().dataSync()), [6]);
  assert.deepEqual(t.flatten().shape, [4]);
  assert.deepEqual(Array.from(t.abs().dataSync()), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(t.matMul(tf.eye(2)).dataSync()), [1, -2, 3, 4]);
  assert.deepEqual(Array.from(t.mean(1).dataSync()), [-0.5, 3.5]);
  assert.equal(t.toInt().dtype, 'int32');
  x.dispose();
  assert.throws(() => t.sum(), /disposed/);
});

test('tfjs-layers Orthogonal initializer works (it uses chained flatten)', () => {
  const init = tfl.initializers.orthogonal({ gain: 1, seed: 1 });
  const w = init.apply([8, 8]) as tf.Tensor2D;
  const wtw = tf.matMul(w, w, true, false).arraySync() as number[][];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) assert.ok(Math.abs(wtw[i][j] - (i === j ? 1 : 0)) < 1e-4);
});
