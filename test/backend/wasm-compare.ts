/** Test helpers: run the same computation on wasm and cpu and compare (max abs / relative error). */
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { Rng } from '../../src/util/random.js';

/** Deterministic normal values for a shape. */
export function randn(shape: number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Runs `fn` on `backend` and returns the flat values of its outputs (tensors disposed). */
export async function runOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(() => {
    const r = fn();
    return Array.isArray(r) ? r : [r];
  });
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

/** Max abs error and max error relative to the reference's max magnitude. */
export function errors(actual: Float32Array, expected: Float32Array): { abs: number; rel: number } {
  assert.equal(actual.length, expected.length, 'length');
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    if (!(e <= abs)) abs = Number.isNaN(e) ? Infinity : Math.max(abs, e);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { abs, rel: abs / Math.max(scale, 1e-30) };
}

/**
 * Runs `fn` on wasm and `cpuFn` (default `fn`) on cpu, asserts every output agrees to `relTol` (relative to the largest
 * reference magnitude) or to `atol` absolute (for outputs that are pure rounding noise, e.g. a
 * conv bias followed by batch norm, whose exact gradient is 0), and returns the worst errors.
 */
export async function compareWasmCpu(label: string, fn: () => tf.Tensor | tf.Tensor[], relTol = 1e-5, cpuFn = fn, atol = 0): Promise<{ abs: number; rel: number }> {
  const w = await runOn('wasm', fn);
  const c = await runOn('cpu', cpuFn);
  assert.equal(w.length, c.length);
  let worst = { abs: 0, rel: 0 };
  for (let i = 0; i < w.length; i++) {
    const e = errors(w[i], c[i]);
    assert.ok(e.rel <= relTol || e.abs <= atol, `${label} output ${i}: rel err ${e.rel} (abs ${e.abs}) > ${relTol}`);
    worst = { abs: Math.max(worst.abs, e.abs), rel: Math.max(worst.rel, e.rel) };
  }
  return worst;
}
