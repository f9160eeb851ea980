import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resampleSignal } from '../../src/data/resample.js';
import { InvalidInputError } from '../../src/errors.js';

const sine = (n: number, fs: number, hz: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / fs));

/** Max |error| against the analytic sine, away from the edges. */
function maxErr(y: Float32Array, fs: number, hz: number, margin: number): number {
  let m = 0;
  for (let i = margin; i < y.length - margin; i++) m = Math.max(m, Math.abs(y[i] - Math.sin((2 * Math.PI * hz * i) / fs)));
  return m;
}

test('downsampling 360 -> 250 Hz and upsampling 100 -> 360 Hz reproduce an in-band sine', () => {
  const down = resampleSignal(sine(3600, 360, 5), 360, 250);
  assert.equal(down.length, 2500);
  assert.ok(maxErr(down, 250, 5, 50) < 2e-3, `down err ${maxErr(down, 250, 5, 50)}`);
  const up = resampleSignal(sine(1000, 100, 5), 100, 360);
  assert.equal(up.length, 3600);
  assert.ok(maxErr(up, 360, 5, 100) < 2e-3, `up err ${maxErr(up, 360, 5, 100)}`);
});

test('downsampling removes content above the new Nyquist frequency (no aliasing)', () => {
  const y = resampleSignal(sine(3600, 360, 150), 360, 100); // 150 Hz would alias to 50 Hz
  let peak = 0;
  for (let i = 50; i < y.length - 50; i++) peak = Math.max(peak, Math.abs(y[i]));
  assert.ok(peak < 0.05, `aliased amplitude ${peak}`);
});

test('constants are kept exactly up to the edges; same rate copies; bad rates throw', () => {
  const y = resampleSignal(new Float32Array(100).fill(3), 500, 360);
  assert.equal(y.length, 72);
  for (const v of y) assert.ok(Math.abs(v - 3) < 1e-6);
  const x = sine(10, 10, 1);
  const same = resampleSignal(x, 10, 10);
  assert.deepEqual(same, x);
  assert.notEqual(same, x);
  assert.throws(() => resampleSignal(x, 0, 10), InvalidInputError);
  assert.throws(() => resampleSignal(x, 10, NaN), InvalidInputError);
});
