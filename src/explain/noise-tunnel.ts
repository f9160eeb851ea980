/**
 * SmoothGrad and VarGrad (Captum's NoiseTunnel over gradients): gradients at noisy copies of
 * the input, averaged (SmoothGrad), squared then averaged (SmoothGrad^2) or their variance
 * (VarGrad). Noise is seeded Gaussian with std = noiseLevel * (max - min) of each sample.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { pickRows, sumRowGradients } from './gradient-rows.js';
import type { CommonOptions } from './types.js';

/** Noise tunnel options. */
export interface NoiseTunnelOptions extends CommonOptions {
  /** Noisy copies per sample. Default 25. */
  samples?: number;
  /** Noise std as a fraction of each sample's value range. Default 0.15. */
  noiseLevel?: number;
  /** Absolute noise std (overrides noiseLevel). */
  stdev?: number;
  /** Multiply the result by the input (SmoothGrad of input x gradient). Default false. */
  multiplyByInput?: boolean;
  seed?: number;
}

/** Adds seeded noise to rows of the input; returns [rows, ...] (inside tidy). */
function noisyRows(ctx: ExplainContext, samples: Int32Array, std: Float32Array, rng: Rng): tf.Tensor {
  const size = ctx.sampleSize;
  const noise = new Float32Array(samples.length * size);
  for (let r = 0; r < samples.length; r++) {
    const sd = std[samples[r]];
    for (let j = 0; j < size; j++) noise[r * size + j] = rng.normal(0, sd);
  }
  return tf.add(pickRows(ctx.input, samples), tf.tensor(noise, [samples.length, ...ctx.sampleShape]));
}

/** Mean and mean-of-squares of gradients over noisy copies. */
async function noisyGradientMoments(ctx: ExplainContext, o: NoiseTunnelOptions): Promise<{ mean: Float32Array; meanSq: Float32Array }> {
  const m = o.samples ?? 25;
  if (!Number.isInteger(m) || m < 1) throw new InvalidInputError('samples', `must be a positive integer, got ${m}`);
  const level = o.noiseLevel ?? 0.15;
  if (!(level >= 0) || (o.stdev !== undefined && !(o.stdev >= 0))) throw new InvalidInputError('noiseLevel', 'must be >= 0');
  const x = ctx.input.dataSync();
  const std = new Float32Array(ctx.n).map((_, i) => {
    if (o.stdev !== undefined) return o.stdev;
    const v = x.subarray(i * ctx.sampleSize, (i + 1) * ctx.sampleSize);
    let lo = Infinity, hi = -Infinity;
    for (const q of v) { lo = Math.min(lo, q); hi = Math.max(hi, q); }
    return level * (hi - lo);
  });
  const rng = new Rng(o.seed ?? 0);
  const { sum, sumSquares } = await sumRowGradients(ctx, ctx.n * m, (s, e) => {
    const samples = new Int32Array(e - s).map((_, r) => Math.floor((s + r) / m));
    return { rows: noisyRows(ctx, samples, std, rng), samples, weights: new Float32Array(e - s).fill(1 / m) };
  }, true);
  const scale = (v: Float32Array) => (o.multiplyByInput ? v.map((q, i) => q * x[i]) : v);
  return { mean: scale(sum), meanSq: o.multiplyByInput ? sumSquares!.map((q, i) => q * x[i] * x[i]) : sumSquares! };
}

/** SmoothGrad options. */
export interface SmoothGradOptions extends NoiseTunnelOptions {
  /** SmoothGrad^2: average of squared gradients. Default false. */
  squared?: boolean;
}

/** SmoothGrad (Smilkov et al.): the average gradient over noisy copies. */
export class SmoothGrad extends Explainer<SmoothGradOptions> {
  readonly name = 'SmoothGrad';
  protected async run(ctx: ExplainContext, o: SmoothGradOptions): Promise<Attribution> {
    const { mean, meanSq } = await noisyGradientMoments(ctx, o);
    return ctx.attribution(o.squared ? meanSq : mean);
  }
}

/** VarGrad (Adebayo et al.): the variance of the gradient over noisy copies. */
export class VarGrad extends Explainer<NoiseTunnelOptions> {
  readonly name = 'VarGrad';
  protected async run(ctx: ExplainContext, o: NoiseTunnelOptions): Promise<Attribution> {
    const { mean, meanSq } = await noisyGradientMoments(ctx, o);
    return ctx.attribution(meanSq.map((q, i) => Math.max(0, q - mean[i] * mean[i])));
  }
}
