/**
 * GradientShap (Lundberg & Lee; Captum): expected gradients. For each sample, draws a
 * baseline from a distribution, a point uniformly on the path to the (noisy) input, and
 * averages gradient * (x - baseline).
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { pathRows, pickRows, sumRowGradients } from './gradient-rows.js';
import type { CommonOptions } from './types.js';

/** GradientShap options. */
export interface GradientShapOptions extends CommonOptions {
  /** Baseline distribution [B, ...sample shape]; default one all-zero baseline. */
  baselines?: tf.Tensor;
  /** Draws per sample. Default 20. */
  samples?: number;
  /** Std of Gaussian noise added to the input at each draw. Default 0. */
  stdev?: number;
  seed?: number;
}

/** GradientShap with batched draws. */
export class GradientShap extends Explainer<GradientShapOptions> {
  readonly name = 'GradientShap';
  protected async run(ctx: ExplainContext, o: GradientShapOptions): Promise<Attribution> {
    const m = o.samples ?? 20;
    if (!Number.isInteger(m) || m < 1) throw new InvalidInputError('samples', `must be a positive integer, got ${m}`);
    const dist = o.baselines ?? tf.zeros([1, ...ctx.sampleShape]);
    if (dist.shape.length !== ctx.input.shape.length || dist.shape.slice(1).some((d, i) => d !== ctx.sampleShape[i])) {
      throw new InvalidInputError('baselines', `expected [B, ${ctx.sampleShape}], got [${dist.shape}]`);
    }
    const rng = new Rng(o.seed ?? 0);
    try {
      const { sum } = await sumRowGradients(ctx, ctx.n * m, (s, e) => {
        const samples = new Int32Array(e - s).map((_, r) => Math.floor((s + r) / m));
        const picks = new Int32Array(e - s).map(() => rng.int(dist.shape[0]));
        const alphas = Array.from(samples, () => rng.next());
        const noise = Float32Array.from({ length: (e - s) * ctx.sampleSize }, () => (o.stdev ? rng.normal(0, o.stdev) : 0));
        const x = pickRows(ctx.input, samples), bs = pickRows(dist, picks);
        const rows = pathRows(bs, tf.add(x, tf.tensor(noise, [e - s, ...ctx.sampleShape])), alphas);
        return { rows, samples, weights: new Float32Array(e - s).fill(1 / m), times: tf.sub(x, bs) };
      });
      return ctx.attribution(sum);
    } finally {
      if (!o.baselines) dist.dispose();
    }
  }
}
