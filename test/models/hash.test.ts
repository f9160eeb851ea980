import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashArrays, hashDataset, sha256Hex } from '../../src/models/index.js';

test('sha256Hex matches the FIPS 180-2 test vector and node:crypto', async () => {
  assert.equal(await sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const big = new Float32Array(100_000).map((_, i) => Math.sin(i));
  const sub = big.subarray(10, 5000); // a view with an offset: only its own bytes count
  assert.equal(await sha256Hex(sub), createHash('sha256').update(new Uint8Array(sub.buffer, sub.byteOffset, sub.byteLength)).digest('hex'));
});

test('hashArrays is deterministic and changes with any value, type or order', async () => {
  const x = Float32Array.from([1, 2, 3, 4]);
  const y = Int32Array.from([0, 1]);
  const h = await hashArrays([x, y]);
  assert.match(h, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await hashArrays([Float32Array.from(x), Int32Array.from(y)]), h);
  const x2 = Float32Array.from(x);
  x2[3] = 4.0000005;
  assert.notEqual(await hashArrays([x2, y]), h);
  assert.notEqual(await hashArrays([y, x]), h);
  assert.notEqual(await hashArrays([new Int32Array(x.buffer), y]), h, 'same bytes, other type');
  const ds = { x, shape: [2, 2, 1], y };
  assert.equal(await hashDataset(ds), await hashArrays([x, Int32Array.from([2, 2, 1]), y]));
  assert.notEqual(await hashDataset({ ...ds, shape: [2, 1, 2] }), await hashDataset(ds));
});
