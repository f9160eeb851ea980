/**
 * Monotonicity (Arya et al. 2019): starting from the baseline, features are revealed in order
 * of increasing relevance; the explanation is monotonic (1) when every reveal raises the score
 * (up to a float tolerance), else 0.
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { relevanceCurves, steppedFeatures, type SteppedOptions } from './common.js';

/** Monotonicity options. */
export type MonotonicityOptions = SteppedOptions;

/** Monotonicity: 1 when the insertion curve (least relevant first) never falls, else 0. */
export const Monotonicity: MetricDef<MonotonicityOptions> = {
  name: 'Monotonicity',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const { f, steps } = steppedFeatures(ctx, o, 32);
    const curves = await relevanceCurves(ctx, f, steps, 'insertion', o, 'sum', false);
    o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
    return Float32Array.from(curves, (c) => {
      const tol = 1e-5 * Math.max(1, ...Array.from(c, Math.abs));
      for (let k = 1; k < c.length; k++) if (c[k] < c[k - 1] - tol) return 0;
      return 1;
    });
  },
};

/** Monotonicity (1/0) per sample. */
export function monotonicity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: MonotonicityOptions = {}): Promise<Float32Array> {
  return runMetric(Monotonicity, model, x, y, attribution, o);
}
