/**
 * Infill without training: harmonic (diffusion) fill for images and volumes, linear
 * interpolation plus noise matched to the local variability for signals. Both return an
 * `InfillFunction` usable as the occlusion/feature-ablation `baseline` and as the deletion
 * mask's `perturbation`. Values are computed in plain arrays (no gradient flows through them).
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import { Rng } from '../../util/random.js';
import type { InfillFunction } from './types.js';

/** Checks x and mask ([N, ...sample], same shape, finite) and returns their values and layout. */
export function readInfillArgs(x: tf.Tensor, mask: tf.Tensor): { xv: Float32Array; mv: Float32Array; n: number; spatial: number[]; channels: number } {
  if (!(x instanceof tf.Tensor) || !(mask instanceof tf.Tensor)) throw new InvalidInputError('infill', 'x and mask must be tensors');
  if (x.shape.length < 2) throw new InvalidInputError('infill', `x must be [N, ...sample], got shape [${x.shape}]`);
  if (mask.shape.length !== x.shape.length || !mask.shape.every((d, i) => d === x.shape[i])) {
    throw new InvalidInputError('infill', `mask shape [${mask.shape}] differs from x shape [${x.shape}]`);
  }
  const xv = x.dataSync() as Float32Array;
  const mv = mask.dataSync() as Float32Array;
  for (let i = 0; i < xv.length; i++) if (!Number.isFinite(xv[i]) || !Number.isFinite(mv[i])) throw new InvalidInputError('infill', `NaN or Inf at flat index ${i}`);
  const flat = x.shape.length === 2;
  return {
    xv: Float32Array.from(xv),
    mv,
    n: x.shape[0],
    spatial: flat ? [x.shape[1]] : x.shape.slice(1, -1),
    channels: flat ? 1 : x.shape[x.shape.length - 1],
  };
}

/**
 * Calls `fill(at, i, j)` for every masked run [i, j) of every channel of signals [n, t, channels]
 * (mask > 0.5), where `at(k)` is the flat index of time k in that sample and channel.
 */
export function forEachGap(mv: Float32Array, n: number, t: number, channels: number, fill: (at: (k: number) => number, i: number, j: number) => void): void {
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < channels; c++) {
      const at = (k: number) => (s * t + k) * channels + c;
      let i = 0;
      while (i < t) {
        if (!(mv[at(i)] > 0.5)) { i++; continue; }
        let j = i;
        while (j < t && mv[at(j)] > 0.5) j++;
        fill(at, i, j);
        i = j;
      }
    }
  }
}

/** Options of `linearInfill`. */
export interface LinearInfillOptions {
  /** Scale of the added noise relative to the local variability (default 1; 0 = pure interpolation). */
  noise?: number;
  /** Samples of context on each side of a gap used to measure variability (default: the gap length, at least 4). */
  context?: number;
  seed?: number;
}

/**
 * Signals [N, T, C] or [N, T]: each masked run of a channel becomes the straight line between
 * its neighbouring observed samples (the nearest observed value at the edges; 0 when a channel
 * has no observed sample) plus Gaussian noise whose standard deviation is that of the first
 * differences of the context divided by sqrt(2) - the white-noise level of the context - times `noise`.
 */
export function linearInfill(options: LinearInfillOptions = {}): InfillFunction {
  const scale = options.noise ?? 1;
  if (!(scale >= 0 && Number.isFinite(scale))) throw new InvalidInputError('noise', `must be a finite number >= 0, got ${scale}`);
  const rng = new Rng(options.seed ?? 0);
  return (x, mask) => {
    const { xv, mv, n, spatial, channels } = readInfillArgs(x, mask);
    if (spatial.length !== 1) throw new InvalidInputError('infill', `linear infill needs signals [N, T, C], got shape [${x.shape}]; use harmonicInfill for images`);
    const t = spatial[0];
    forEachGap(mv, n, t, channels, (at, i, j) => {
      const left = i > 0 ? xv[at(i - 1)] : undefined, right = j < t ? xv[at(j)] : undefined;
      const a = left ?? right ?? 0, b = right ?? left ?? 0;
      const sd = scale > 0 ? scale * contextNoise(xv, mv, at, t, i, j, options.context ?? Math.max(4, j - i)) : 0;
      for (let k = i; k < j; k++) xv[at(k)] = a + ((b - a) * (k - i + 1)) / (j - i + 1) + (sd > 0 ? rng.normal(0, sd) : 0);
    });
    return tf.tensor(xv, x.shape);
  };
}

/** White-noise level of the observed context around gap [i, j): std of first differences / sqrt(2). */
function contextNoise(xv: Float32Array, mv: Float32Array, at: (i: number) => number, t: number, i: number, j: number, context: number): number {
  let sum = 0, sum2 = 0, count = 0;
  const add = (k: number) => {
    if (k < 1 || k >= t || mv[at(k)] > 0.5 || mv[at(k - 1)] > 0.5) return;
    const d = xv[at(k)] - xv[at(k - 1)];
    sum += d;
    sum2 += d * d;
    count++;
  };
  for (let k = i - context; k < i; k++) add(k);
  for (let k = j + 1; k <= j + context; k++) add(k);
  if (count < 2) return 0;
  const variance = Math.max(0, (sum2 - (sum * sum) / count) / (count - 1));
  return Math.sqrt(variance / 2);
}

/** Options of `harmonicInfill`. */
export interface HarmonicInfillOptions {
  /** Maximum over-relaxed Gauss-Seidel sweeps (default 2000). */
  iterations?: number;
  /** Stop when the largest update of a sweep is below this (default 1e-5). */
  tolerance?: number;
}

/**
 * Harmonic (diffusion) inpainting for any rank: the masked elements of each channel solve
 * Laplace's equation with the observed elements as boundary values (reflecting borders), by
 * successive over-relaxation. The smoothest fill; for signals it is linear interpolation.
 * A channel with nothing observed is filled with 0.
 */
export function harmonicInfill(options: HarmonicInfillOptions = {}): InfillFunction {
  const iterations = options.iterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-5;
  return (x, mask) => {
    const { xv, mv, n, spatial, channels } = readInfillArgs(x, mask);
    const positions = spatial.reduce((a, b) => a * b, 1);
    const strides = spatial.map((_, a) => spatial.slice(a + 1).reduce((p, q) => p * q, 1));
    const omega = 1.9;
    for (let s = 0; s < n; s++) {
      for (let c = 0; c < channels; c++) {
        const at = (p: number) => (s * positions + p) * channels + c;
        const holes: number[] = [];
        let obsSum = 0, obsCount = 0;
        for (let p = 0; p < positions; p++) {
          if (mv[at(p)] > 0.5) holes.push(p);
          else { obsSum += xv[at(p)]; obsCount++; }
        }
        if (holes.length === 0) continue;
        const start = obsCount ? obsSum / obsCount : 0;
        for (const p of holes) xv[at(p)] = start;
        if (!obsCount) continue;
        // neighbours of each hole (reflecting borders: a missing neighbour is skipped)
        const nb = holes.map((p) => {
          const out: number[] = [];
          let rest = p;
          for (let a = 0; a < spatial.length; a++) {
            const coord = Math.floor(rest / strides[a]);
            rest -= coord * strides[a];
            if (coord > 0) out.push(at(p - strides[a]));
            if (coord < spatial[a] - 1) out.push(at(p + strides[a]));
          }
          return out;
        });
        for (let it = 0; it < iterations; it++) {
          let change = 0;
          for (let h = 0; h < holes.length; h++) {
            const idx = at(holes[h]);
            let sum = 0;
            for (const q of nb[h]) sum += xv[q];
            const next = xv[idx] + omega * (sum / nb[h].length - xv[idx]);
            change = Math.max(change, Math.abs(next - xv[idx]));
            xv[idx] = next;
          }
          if (change < tolerance) break;
        }
      }
    }
    return tf.tensor(xv, x.shape);
  };
}
