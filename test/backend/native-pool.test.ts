/** The float32 output pool of the native backend: free-list rules, and values never corrupted by reuse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { Float32Pool } from '../../src/backend/native-pool.js';
import type { NativeBackend } from '../../src/backend/native.js';
import { allocOutput } from '../../src/backend/native-addon.js';
import { nativeSkip, randn } from './native-helpers.js';

test('the free list serves released buffers by length, LRU-capped, and never buffers it did not allocate', () => {
  const pool = new Float32Pool({ limitBytes: 3 * 4096 * 4, minLength: 1024 });
  const a = pool.take(4096), b = pool.take(4096), c = pool.take(2048);
  assert.equal(pool.getStats().misses, 3);
  pool.recycle(a);
  assert.equal(pool.take(4096), a, 'same length: reused');
  assert.notEqual(pool.take(2048), a, 'other length: fresh');
  pool.recycle(new Float32Array(4096)); // not the pool's
  pool.recycle(c.subarray(0, 1024)); // a view
  pool.recycle(pool.take(100)); // below minLength
  pool.disown(b); // e.g. read by dataSync
  pool.recycle(b);
  assert.equal(pool.getStats().recycled, 1, 'only a');
  // LRU: a, d, e released (3 x 16 KiB = the cap), then f evicts a
  const [d, e, f] = [pool.take(4096), pool.take(4096), pool.take(4096)];
  for (const x of [a, d, e, f]) pool.recycle(x);
  assert.deepEqual([pool.getStats().recycled, pool.getStats().evicted, pool.getStats().heldBytes], [5, 1, 3 * 4096 * 4]);
  assert.ok(!pool.owns(a), 'evicted buffer is dropped for good');
  assert.deepEqual(new Set([pool.take(4096), pool.take(4096), pool.take(4096)]), new Set([d, e, f]));
  const poisoned = new Float32Pool({ limitBytes: 1 << 20, poison: true, minLength: 1 });
  const p = poisoned.take(8);
  poisoned.recycle(p);
  assert.ok(Number.isNaN(poisoned.take(8)[0]), 'poison mode fills reused buffers with NaN');
  const off = new Float32Pool({ limitBytes: 0 });
  const o = off.take(4096);
  off.recycle(o);
  assert.equal(off.getStats().recycled, 0, 'limit 0 turns pooling off');
});

/** The active native backend's pool, emptied, counters reset, with `limit` bytes and poison on. */
function freshPool(limit: number): Float32Pool {
  const pool = (tf.backend() as unknown as NativeBackend).float32Pool;
  pool.clear();
  pool.setLimit(limit);
  pool.poison = true;
  pool.resetStats();
  return pool;
}

test('arrays handed out by dataSync/data keep their values after disposal while later kernels run', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const pool = freshPool(64 << 20);
  const x = tf.tensor(randn([4, 32, 32, 8], 1).values, [4, 32, 32, 8]);
  const y = tf.relu(x);
  const held = y.dataSync();
  const expected = Float32Array.from(held);
  const z = tf.sigmoid(x);
  const heldAsync = await z.data();
  const expectedAsync = Float32Array.from(heldAsync);
  tf.dispose([y, z]);
  // many same-sized outputs, released at once: any recycled y/z buffer would be overwritten
  for (let i = 0; i < 5; i++) tf.tidy(() => tf.exp(tf.neg(tf.relu(x))));
  assert.ok(pool.getStats().hits > 0, 'the pool was used');
  assert.deepEqual(held, expected);
  assert.deepEqual(heldAsync, expectedAsync);
  x.dispose();
});

test('live tensors, views and reshapes sharing a buffer keep their values under tidy and reuse', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const pool = freshPool(64 << 20);
  const backend = tf.backend() as unknown as NativeBackend;
  const x = tf.tensor(randn([2, 16, 16, 8], 2).values, [2, 16, 16, 8]);
  const kept = tf.tidy(() => {
    const a = tf.relu(x);
    const r = tf.reshape(a, [2, 2048]); // shares a's data (refCount 2)
    tf.dispose(a); // data still held by r: must not be recycled
    return r;
  });
  // a kernel storing a view of a pool buffer (cpu kernels do so for simple slices)
  const src = allocOutput(backend, [4096]);
  src.values.fill(7);
  const view = tf.engine().makeTensorFromTensorInfo(backend.makeTensorInfo([1024], 'float32', src.values.subarray(1024, 2048)));
  backend.disposeData(src.info.dataId);
  for (let i = 0; i < 4; i++) tf.tidy(() => tf.add(tf.relu(x), tf.sigmoid(x)));
  assert.ok(pool.getStats().hits > 0);
  const expected = tf.tidy(() => {
    const v = x.dataSync();
    return Float32Array.from(v, (e) => Math.max(e, 0));
  });
  assert.deepEqual(kept.dataSync(), expected);
  assert.ok((view.dataSync() as Float32Array).every((v) => v === 7), 'view of a released pool buffer intact');
  tf.dispose([x, kept, view]);
});

/** Runs `steps` SGD steps of a small conv net (conv, batch norm, relu, padding, pooling, dense); the losses. */
async function trainLosses(weights: tf.Tensor[] | undefined, steps: number): Promise<{ losses: number[]; memory: { numTensors: number; numBytes: number }; weights: tf.Tensor[] }> {
  const before = tf.memory();
  const input = tfl.input({ shape: [16, 16, 4] });
  let h = tfl.layers.zeroPadding2d({ padding: 1 }).apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({ filters: 8, kernelSize: 3 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.reLU().apply(h) as tfl.SymbolicTensor;
  const skip = h;
  h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.add().apply([h, skip]) as tfl.SymbolicTensor;
  h = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3 }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  if (weights) model.setWeights(weights);
  const x = tf.tensor(randn([4, 16, 16, 4], 3).values, [4, 16, 16, 4]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const opt = tf.train.sgd(0.05);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  const w = model.getWeights().map((t) => t.clone());
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  const after = tf.memory();
  return { losses, memory: { numTensors: after.numTensors - before.numTensors, numBytes: after.numBytes - before.numBytes }, weights: w };
}

test('training gives identical losses and tf.memory() with and without the pool', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  freshPool(0);
  const off = await trainLosses(undefined, 0); // fixes the initial weights
  const base = await trainLosses(off.weights, 4);
  const pool = freshPool(64 << 20);
  const pooled = await trainLosses(off.weights, 4);
  assert.ok(pool.getStats().hits > 0, `pool used: ${JSON.stringify(pool.getStats())}`);
  assert.deepEqual(pooled.losses, base.losses);
  assert.ok(pooled.losses.every(Number.isFinite));
  assert.equal(pooled.memory.numTensors, base.memory.numTensors);
  assert.equal(pooled.memory.numBytes, base.memory.numBytes);
  pooled.weights.forEach((w, i) => assert.deepEqual(w.dataSync(), base.weights[i].dataSync()));
  tf.dispose([...off.weights, ...base.weights, ...pooled.weights]);
});

test('conv weights kept reordered are forgotten when their buffer is recycled (no stale weights)', { skip: nativeSkip }, async () => {
  await tf.setBackend('native');
  const pool = freshPool(64 << 20);
  const x = tf.tensor(randn([2, 8, 8, 32], 4).values, [2, 8, 8, 32]) as tf.Tensor4D;
  const conv = (w: tf.Tensor) => tf.tidy(() => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').dataSync().slice());
  const f0 = tf.tensor(randn([3, 3, 32, 64], 5).values, [3, 3, 32, 64]);
  const f1 = tf.tensor(randn([3, 3, 32, 64], 6).values, [3, 3, 32, 64]);
  // weights produced by a native kernel live in a pool buffer; the second use keeps them reordered
  const w0 = tf.mul(f0, 1);
  conv(w0);
  conv(w0);
  w0.dispose();
  // the same-sized kernel output now reuses w0's buffer with other values
  const w1 = tf.mul(f1, 1);
  assert.ok(pool.getStats().hits > 0, 'the buffer was reused');
  const expected = conv(f1);
  for (let i = 0; i < 2; i++) {
    const got = conv(w1);
    assert.ok(got.every((v, j) => Math.abs(v - expected[j]) < 1e-4), 'conv used the recycled buffer\'s new values');
  }
  tf.dispose([x, f0, f1, w1]);
});
