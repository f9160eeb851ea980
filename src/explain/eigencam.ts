/**
 * Eigen-CAM (Muhammad & Yeasin): the projection of the layer activations on their first
 * principal component; gradient-free and class-agnostic.
 */
import { tf } from '../backend/tf.js';
import { CamExplainer, type CamInputs } from './cam-base.js';

/**
 * Projection of centred rows of `a` ([P, K]) on their first right singular vector, found by
 * power iteration on A^T A (no SVD in tfjs). The sign, arbitrary in an SVD, is chosen so the
 * map correlates positively with the channel-summed activation.
 */
export function firstComponentProjection(a: Float32Array, p: number, k: number, iterations = 200): Float32Array {
  const mean = new Float64Array(k);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) mean[j] += a[i * k + j] / p;
  const c = new Float64Array(p * k);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) c[i * k + j] = a[i * k + j] - mean[j];
  let v = new Float64Array(k).map((_, j) => 1 + j / k);
  const u = new Float64Array(p);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += c[i * k + j] * v[j];
      u[i] = s;
    }
    const next = new Float64Array(k);
    for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) next[j] += c[i * k + j] * u[i];
    const norm = Math.sqrt(next.reduce((acc, q) => acc + q * q, 0));
    if (norm === 0) break;
    const change = next.reduce((s, q, j) => s + Math.abs(q / norm - v[j]), 0);
    v = next.map((q) => q / norm);
    if (change < 1e-10) break;
  }
  const proj = new Float32Array(p);
  let corr = 0;
  for (let i = 0; i < p; i++) {
    let s = 0, t = 0;
    for (let j = 0; j < k; j++) {
      s += c[i * k + j] * v[j];
      t += c[i * k + j];
    }
    proj[i] = s;
    corr += s * t;
  }
  return corr < 0 ? proj.map((q) => -q) : proj;
}

/** Eigen-CAM. */
export class EigenCAM extends CamExplainer {
  readonly name = 'EigenCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const [n, ...rest] = c.activation.shape;
    const k = rest[rest.length - 1], p = rest.slice(0, -1).reduce((a, b) => a * b, 1);
    const data = c.activation.dataSync();
    const out = new Float32Array(n * p);
    for (let i = 0; i < n; i++) out.set(firstComponentProjection(data.subarray(i * p * k, (i + 1) * p * k) as Float32Array, p, k), i * p);
    return tf.tensor(out, [n, ...rest.slice(0, -1)]);
  }
}
