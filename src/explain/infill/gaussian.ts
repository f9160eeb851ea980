/**
 * Statistical conditional infill for signals: the training signals are modelled as a
 * stationary Gaussian process with the (biased, hence positive semi-definite) sample
 * autocovariance gamma(k), k <= maxLag. A gap is filled with the conditional mean given up to
 * `context` observed samples on each side,
 *   x_m = mu + S_mo S_oo^-1 (x_o - mu),   S_ab = gamma(|a - b|),
 * with mu the mean of that context (so the local level follows the signal). No training
 * beyond one pass over the signals; gaps longer than maxLag fall back to linear interpolation.
 */
import { tf, tidyData } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import { solveLinearSystem } from '../linear-solve.js';
import { forEachGap, linearInfill, readInfillArgs } from './classical.js';
import type { SignalSet } from './autoencoder.js';
import type { InfillFunction } from './types.js';

/** Options of `GaussianInfill.fit`. */
export interface GaussianFitOptions {
  /** Largest lag of the autocovariance (default 128 samples). */
  maxLag?: number;
}

function signalsOf(set: SignalSet): Float32Array[] {
  if (Array.isArray(set)) return set;
  const { x, shape } = set;
  if (!(shape.length === 2 || (shape.length === 3 && shape[2] === 1)) || x.length !== shape[0] * shape[1]) throw new InvalidInputError('signals', `expected [N, T] or [N, T, 1] data, got shape [${shape}]`);
  return Array.from({ length: shape[0] }, (_, i) => x.subarray(i * shape[1], (i + 1) * shape[1]));
}

/** A fitted stationary Gaussian model of signals and its conditional-mean infill. */
export class GaussianInfill {
  private constructor(
    /** Autocovariance at lags 0..maxLag (each signal centred on its own mean). */
    readonly autocov: Float64Array,
  ) {}

  /** Estimates the autocovariance from signals (each centred on its mean). */
  static fit(set: SignalSet, options: GaussianFitOptions = {}): GaussianInfill {
    const signals = signalsOf(set);
    const maxLag = options.maxLag ?? 128;
    if (!(Number.isInteger(maxLag) && maxLag >= 1)) throw new InvalidInputError('maxLag', `must be a positive integer, got ${maxLag}`);
    if (signals.length === 0) throw new InvalidInputError('signals', 'no signals to fit');
    const acc = new Float64Array(maxLag + 1);
    let count = 0;
    for (const s of signals) {
      let sum = 0;
      for (const v of s) {
        if (!Number.isFinite(v)) throw new InvalidInputError('signals', 'contain NaN or Inf');
        sum += v;
      }
      const mean = sum / s.length;
      for (let k = 0; k <= maxLag; k++) for (let t = 0; t + k < s.length; t++) acc[k] += (s[t] - mean) * (s[t + k] - mean);
      count += s.length;
    }
    if (!(acc[0] > 0)) throw new InvalidInputError('signals', 'are constant: no variability to model');
    return new GaussianInfill(acc.map((v) => v / count));
  }

  /** Largest lag of the model. */
  get maxLag(): number {
    return this.autocov.length - 1;
  }

  /** Conditional-mean infill of signals [N, T, C] or [N, T]; `context` observed samples per side (default 32). */
  infill(context = 32): InfillFunction {
    if (!(Number.isInteger(context) && context >= 1)) throw new InvalidInputError('context', `must be a positive integer, got ${context}`);
    const fallback = linearInfill({ noise: 0 });
    return (x, mask) => {
      const { xv, mv, n, spatial, channels } = readInfillArgs(x, mask);
      if (spatial.length !== 1) throw new InvalidInputError('infill', `Gaussian infill needs signals [N, T, C], got shape [${x.shape}]`);
      const lin = tidyData(() => fallback(x, mask).dataSync() as Float32Array);
      const t = spatial[0];
      forEachGap(mv, n, t, channels, (at, i, j) => this.fillGap(xv, mv, lin, at, t, i, j, context));
      return tf.tensor(xv, x.shape);
    };
  }

  /** Fills gap [i, j) in place from its observed context (linear values where the model cannot reach). */
  private fillGap(xv: Float32Array, mv: Float32Array, lin: Float32Array, at: (i: number) => number, t: number, i: number, j: number, context: number): void {
    const g = j - i;
    const side = Math.min(context, Math.floor((this.maxLag + 1 - g) / 2));
    const obs: number[] = [];
    if (side >= 1) {
      for (let k = Math.max(0, i - side); k < i; k++) if (!(mv[at(k)] > 0.5)) obs.push(k);
      for (let k = j; k < Math.min(t, j + side); k++) if (!(mv[at(k)] > 0.5)) obs.push(k);
    }
    if (obs.length === 0) {
      for (let k = i; k < j; k++) xv[at(k)] = lin[at(k)];
      return;
    }
    const o = obs.length;
    const mu = obs.reduce((a, k) => a + xv[at(k)], 0) / o;
    const gamma = (a: number, b: number) => this.autocov[Math.abs(a - b)];
    const soo = new Float64Array(o * o);
    for (let p = 0; p < o; p++) for (let q = 0; q < o; q++) soo[p * o + q] = gamma(obs[p], obs[q]);
    // a small jitter keeps S_oo invertible for (near-)deterministic processes
    for (let p = 0; p < o; p++) soo[p * o + p] += 1e-6 * this.autocov[0];
    const alpha = solveLinearSystem(soo, Float64Array.from(obs, (k) => xv[at(k)] - mu), o);
    for (let k = i; k < j; k++) {
      let v = mu;
      for (let p = 0; p < o; p++) v += gamma(k, obs[p]) * alpha[p];
      xv[at(k)] = v;
    }
  }
}
