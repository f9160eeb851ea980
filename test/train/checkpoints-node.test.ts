import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FileCheckpointStore } from '../../src/node/checkpoints.js';
import { CorruptFileError } from '../../src/errors.js';
import { tmpDir } from '../helpers.js';

test('file checkpoint store round-trips atomically and reports damage', async () => {
  const dir = path.join(tmpDir(), 'run');
  const store = new FileCheckpointStore(dir);
  assert.equal(await store.load(), undefined);
  const ck = {
    epochsDone: 2,
    seed: 1,
    optimizer: 'adam',
    history: [],
    weights: [{ name: 'w', shape: [3], dtype: 'float32' as const, data: new Float32Array([1.5, -2, 3]) }],
    optimizerWeights: [],
  };
  await store.save(ck);
  await store.save({ ...ck, epochsDone: 3 });
  assert.deepEqual(fs.readdirSync(dir), ['checkpoint.mlckpt']); // no temp files left
  const back = await store.load();
  assert.equal(back!.epochsDone, 3);
  assert.deepEqual(Array.from(back!.weights[0].data), [1.5, -2, 3]);
  fs.truncateSync(store.file, 30);
  await assert.rejects(store.load(), CorruptFileError);
  store.clear();
  assert.equal(await store.load(), undefined);
});
