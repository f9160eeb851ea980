/**
 * Reference inputs ("baselines") for integrated gradients, GradientShap, DeepLift and the
 * perturbation methods: zero, a constant, a blurred copy, seeded uniform noise, or a tensor.
 */
import { tf, tidyData } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import { allFinite } from './base.js';
import { gaussianBlur } from './spatial.js';

/** A baseline: 'zero', 'blurred', 'uniform', a constant, or a tensor of one sample's or the input's shape. */
export type BaselineSpec = 'zero' | 'blurred' | 'uniform' | number | tf.Tensor;

/** Baseline options. */
export interface BaselineOptions {
  /** Blur sigma for 'blurred' (samples/pixels). Default: 1/8 of the smallest spatial size, at least 1. */
  blurSigma?: number;
  /** Seed for 'uniform'. */
  seed?: number;
}

/** The baseline as a tensor of the input's shape (caller disposes). */
export function makeBaseline(input: tf.Tensor, spec: BaselineSpec = 'zero', opts: BaselineOptions = {}): tf.Tensor {
  if (spec === 'zero') return tf.zerosLike(input);
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) throw new InvalidInputError('baseline', 'must be finite');
    return tf.fill(input.shape, spec);
  }
  if (spec === 'blurred') {
    const spatial = input.shape.length === 2 ? [input.shape[1]] : input.shape.slice(1, -1);
    const sigma = opts.blurSigma ?? Math.max(1, Math.min(...spatial) / 8);
    return gaussianBlur(input, sigma);
  }
  if (spec === 'uniform') {
    const [lo, hi] = tidyData(() => [tf.min(input).dataSync()[0], tf.max(input).dataSync()[0]]);
    const rng = new Rng(opts.seed ?? 0);
    const v = new Float32Array(input.size);
    for (let i = 0; i < v.length; i++) v[i] = rng.uniform(lo, hi);
    return tf.tensor(v, input.shape);
  }
  if (spec instanceof tf.Tensor) {
    const same = spec.shape.length === input.shape.length && spec.shape.every((d, i) => d === input.shape[i]);
    const one = spec.shape.length === input.shape.length - 1 && spec.shape.every((d, i) => d === input.shape[i + 1]);
    if (!same && !one) throw new InvalidInputError('baseline', `shape [${spec.shape}] fits neither the input [${input.shape}] nor one sample`);
    return tf.tidy(() => {
      if (!allFinite(spec)) throw new InvalidInputError('baseline', 'contains NaN or Inf');
      return same ? tf.cast(spec, 'float32') : tf.broadcastTo(tf.cast(spec, 'float32'), input.shape);
    });
  }
  throw new InvalidInputError('baseline', `unknown baseline '${String(spec)}' (zero, blurred, uniform, a number or a tensor)`);
}
