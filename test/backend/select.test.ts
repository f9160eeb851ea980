import test from 'node:test';
import assert from 'node:assert/strict';
import { initNodeBackend } from '../../src/backend/node.js';
import { selectBackend, cpuCandidate } from '../../src/backend/select.js';
import { InvalidInputError } from '../../src/errors.js';
import { tf } from '../../src/backend/tf.js';

test('node backend picks the fastest available and explains skips', async () => {
  const info = await initNodeBackend();
  assert.ok(['tensorflow', 'native', 'wasm'].includes(info.name), info.name);
  assert.equal(tf.getBackend(), info.name);
  for (const s of info.skipped) assert.ok(s.reason.length > 0);
});

test('forcing an unknown backend is a typed error', async () => {
  await assert.rejects(selectBackend([cpuCandidate], 'nope'), InvalidInputError);
});

test('a failing candidate is skipped with its reason', async () => {
  const info = await selectBackend([{ name: 'broken', load: async () => 'not here' }, cpuCandidate]);
  assert.equal(info.name, 'cpu');
  assert.deepEqual(info.skipped, [{ name: 'broken', reason: 'not here' }]);
});
