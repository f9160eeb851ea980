/**
 * What replaces perturbed positions in the faithfulness metrics: the explainers' baselines
 * (zero, a constant, blurred, seeded uniform noise, a tensor, a function of rows and masks),
 * plus the per-sample mean and ROAD's noisy linear imputation (Rong et al. 2022).
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { Replacement } from '../explain/perturbation.js';
import { splitSampleShape } from '../explain/spatial.js';
import { Rng } from '../util/random.js';

/** A replacement: an explainer baseline or function, `'mean'` (each sample's mean) or `'road'` (noisy linear imputation). */
export type ReplacementSpec = Replacement | 'mean' | 'road';

/** Options of the replacement. */
export interface ReplacementOptions {
  /** Std of the noise ROAD adds to imputed values. Default 0.01. */
  roadNoise?: number;
  seed?: number;
}

/** The explainers' replacement for a spec (functions for 'mean' and 'road'). */
export function toReplacement(spec: ReplacementSpec, o: ReplacementOptions = {}): Replacement {
  if (spec === 'mean') {
    return (rows) => {
      const axes = rows.shape.map((_, i) => i).slice(1);
      return tf.mul(tf.onesLike(rows), tf.mean(rows, axes, true));
    };
  }
  if (spec === 'road') {
    const rng = new Rng(o.seed ?? 0);
    const noise = o.roadNoise ?? 0.01;
    if (!(noise >= 0)) throw new InvalidInputError('roadNoise', 'must be a non-negative number');
    return (rows, masks) => {
      const out = noisyLinearImputation(rows.dataSync() as Float32Array, masks.dataSync() as Float32Array, rows.shape.slice(1), rng, noise);
      return tf.tensor(out, rows.shape);
    };
  }
  return spec;
}

/**
 * ROAD's noisy linear imputation: every replaced value becomes the mean of its axis neighbours
 * (a sparse linear system solved by over-relaxed Gauss-Seidel sweeps, per channel, any rank), then
 * Gaussian noise of std `noise` is added. Kept values are unchanged. `rows` and `masks` are
 * flat [rows, ...sampleShape] (mask 1 = replaced).
 */
export function noisyLinearImputation(rows: Float32Array, masks: Float32Array, sampleShape: number[], rng: Rng, noise = 0.01, sweeps = 200): Float32Array {
  const { spatial, channels } = splitSampleShape(sampleShape);
  const positions = spatial.reduce((a, b) => a * b, 1);
  const size = positions * channels;
  const strides = spatial.map((_, a) => spatial.slice(a + 1).reduce((p, q) => p * q, 1));
  const out = rows.slice();
  const coord = new Int32Array(spatial.length);
  for (let r = 0; r < rows.length / size; r++) {
    for (let c = 0; c < channels; c++) {
      const at = (p: number) => r * size + p * channels + c;
      const unknown: number[] = [];
      let keptSum = 0, kept = 0;
      for (let p = 0; p < positions; p++) {
        if (masks[at(p)] > 0.5) unknown.push(p);
        else (keptSum += rows[at(p)]), kept++;
      }
      if (unknown.length === 0) continue;
      const fill0 = kept ? keptSum / kept : 0;
      for (const p of unknown) out[at(p)] = fill0;
      for (let sweep = 0; sweep < sweeps && kept > 0; sweep++) {
        let change = 0;
        for (const p of unknown) {
          let rem = p, s = 0, k = 0;
          for (let a = 0; a < spatial.length; a++) (coord[a] = Math.floor(rem / strides[a])), (rem %= strides[a]);
          for (let a = 0; a < spatial.length; a++) {
            if (coord[a] > 0) (s += out[at(p - strides[a])]), k++;
            if (coord[a] < spatial[a] - 1) (s += out[at(p + strides[a])]), k++;
          }
          const old = out[at(p)];
          const v = old + 1.6 * ((k ? s / k : fill0) - old); // over-relaxed Gauss-Seidel: same fixed point, fewer sweeps
          change = Math.max(change, Math.abs(v - old));
          out[at(p)] = v;
        }
        if (change < 1e-6) break;
      }
      if (noise > 0) for (const p of unknown) out[at(p)] += rng.normal(0, noise);
    }
  }
  return out;
}
