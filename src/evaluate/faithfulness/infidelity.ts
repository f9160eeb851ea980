/**
 * Infidelity (Yeh et al. 2019): E[(I . a - (f(x) - f(x - I)))^2] over Gaussian perturbations I
 * (std `noise`, one value per position shared by its channels), the mean squared error of the
 * attribution as a linear predictor of the score change (lower = more faithful; 0 for the exact
 * attribution of a linear model).
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { Rng } from '../../util/random.js';
import { runMetric } from '../base.js';
import { scoreCopies } from '../perturb.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** Infidelity options. */
export interface InfidelityOptions extends MetricOptions {
  /** Perturbations per sample. Default 20. */
  nrSamples?: number;
  /** Std of the perturbation. Default 0.1. */
  noise?: number;
}

/** Infidelity per sample. */
export const Infidelity: MetricDef<InfidelityOptions> = {
  name: 'Infidelity',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const count = o.nrSamples ?? 20, std = o.noise ?? 0.1;
    if (!(std > 0) || !Number.isFinite(std)) throw new InvalidInputError('noise', `must be a positive number, got ${o.noise}`);
    const seed = ctx.rng.int(2 ** 31), C = ctx.channels;
    const dot = Array.from({ length: ctx.n }, () => new Float64Array(count));
    const err = new Float64Array(ctx.n);
    await scoreCopies(ctx, count, (i, k, out) => {
      const rng = new Rng(seed + i * 7919 + k * 104729);
      const a = ctx.relevanceOf(i);
      let d = 0;
      for (let p = 0; p < a.length; p++) {
        const v = rng.normal(0, std);
        d += v * a[p];
        for (let c = 0; c < C; c++) out[p * C + c] -= v;
      }
      dot[i][k] = d;
    }, (i, k, s) => (err[i] += (dot[i][k] - (ctx.baseScores[i] - s)) ** 2 / count));
    return Float32Array.from(err);
  },
};

/** Infidelity per sample. */
export function infidelity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: InfidelityOptions = {}): Promise<Float32Array> {
  return runMetric(Infidelity, model, x, y, attribution, o);
}
