import test from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/random.js';

test('Rng is deterministic from its seed and roughly uniform/normal', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
  const r = new Rng(1);
  let s = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
  assert.ok(Math.abs(s / n) < 0.03);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
  const perm = new Rng(3).shuffle([0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...perm].sort(), [0, 1, 2, 3, 4, 5]);
});
