/** Helpers of the native-backend tests: skip when the addon is not built, compare native vs cpu. */
import fs from 'node:fs';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { tf } from '../../src/backend/tf.js';
import { registerNativeBackend } from '../../src/backend/native.js';
import { nativeKernelHits } from '../../src/backend/native-addon.js';
import { Rng } from '../../src/util/random.js';

const outcome = await registerNativeBackend();
// In CI with oneDNN installed the addon must have been built by .ci/system-deps: fail, don't skip.
if (outcome !== true && process.env.CI === 'true' && fs.existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) {
  throw new Error(`native addon missing in CI although libdnnl-dev is installed: ${outcome}`);
}
/** False when the native backend is usable, else the reason to skip. */
export const nativeSkip: false | string = outcome === true ? false : `native backend unavailable, skipped: ${outcome}`;

/** Deterministic normal values of `shape`. */
export function randn(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal();
  return { shape, values };
}

type Data = { shape: number[]; values: Float32Array };
type Fn = (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

async function runOn(backend: string, fn: Fn, inputs: Data[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(() => {
    const r = fn(...inputs.map((d) => tf.tensor(d.values, d.shape)));
    return Array.isArray(r) ? r : [r];
  });
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

/**
 * Runs `fn` on cpu and native with the same inputs; asserts every output agrees within
 * `tol` relative to the output's largest magnitude, and that each of `kernels` ran in oneDNN.
 * Reports and returns the max abs error.
 */
export async function compareWithCpu(t: TestContext, label: string, fn: Fn, inputs: Data[], kernels: string[], tol = 2e-5): Promise<number> {
  const before = new Map(nativeKernelHits());
  const expected = await runOn('cpu', fn, inputs);
  const actual = await runOn('native', fn, inputs);
  let worst = 0;
  expected.forEach((e, i) => {
    let scale = 1e-6;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    assert.equal(actual[i].length, e.length, `${label} output ${i} size`);
    for (let j = 0; j < e.length; j++) {
      const err = Math.abs(actual[i][j] - e[j]);
      worst = Math.max(worst, err);
      if (!(err <= tol * scale)) assert.fail(`${label} output ${i}[${j}]: native ${actual[i][j]} vs cpu ${e[j]}`);
    }
  });
  for (const k of kernels) {
    assert.ok((nativeKernelHits().get(k) ?? 0) > (before.get(k) ?? 0), `${label}: ${k} did not run in oneDNN`);
  }
  t.diagnostic(`${label}: max abs error ${worst.toExponential(2)}`);
  return worst;
}
