import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagValue, median, medianMs, medianMsAsync, timeMs, TORCH_THREAD_ENV } from '../../bench/common.js';

test('flagValue reads the value after --name, undefined when absent', () => {
  const argv = ['--quick', '--json', 'out.json', '--models', 'a,b'];
  assert.equal(flagValue(argv, 'json'), 'out.json');
  assert.equal(flagValue(argv, 'models'), 'a,b');
  assert.equal(flagValue(argv, 'reps'), undefined);
});

test('median: middle value, upper middle for even counts, input untouched', () => {
  const v = [5, 1, 3];
  assert.equal(median(v), 3);
  assert.deepEqual(v, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 3);
  assert.throws(() => median([]), /nothing/);
});

test('medianMs / medianMsAsync run warm-up + reps times and return the last result', async () => {
  let calls = 0;
  const ms = medianMs(() => void calls++, 3, 2);
  assert.equal(calls, 5);
  assert.ok(ms >= 0);
  let n = 0;
  const r = await medianMsAsync(async () => ++n, 3, 1);
  assert.equal(n, 4);
  assert.equal(r.last, 4);
  assert.ok(r.ms >= 0);
  // keeps going past `reps` until minMs has been spent, at most maxReps runs
  let m = 0;
  await medianMsAsync(async () => { m++; await new Promise((res) => setTimeout(res, 2)); }, 1, 0, 1e9, 7);
  assert.equal(m, 7);
});

test('timeMs returns median and minimum of the timed runs (warm-ups excluded)', () => {
  // Runs sleep 8, 1, 4 ms busy-waiting; warm-up runs sleep 50 ms and must not count.
  const plan = [50, 8, 1, 4];
  let i = 0;
  const t = timeMs(() => {
    const until = performance.now() + plan[Math.min(i++, plan.length - 1)];
    while (performance.now() < until);
  }, 3, 1);
  assert.equal(i, 4);
  // Lower bounds always hold; the upper one only fails if a 4 ms run is delayed by 46 ms.
  assert.ok(t.min >= 1 && t.min <= t.median, `min ${t.min}`);
  assert.ok(t.median >= 4 && t.median < 50, `median ${t.median}`);
});

test('TORCH_THREAD_ENV: 2 torch and BLAS threads, passive OpenMP waits', () => {
  assert.deepEqual(TORCH_THREAD_ENV, { OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' });
});
