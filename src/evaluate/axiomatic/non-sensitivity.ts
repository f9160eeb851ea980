/**
 * NonSensitivity (Nguyen & Martinez 2020): features with (near) zero relevance should be exactly
 * those whose replacement leaves the output unchanged; the score counts the features in one set
 * but not the other (0 = perfect).
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { featureRelevance, positionFeatures, resolveFeatures, type FeatureGroupOptions } from '../features.js';
import { runMaskedRows, type PerturbOptions } from '../perturb.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** NonSensitivity options. */
export interface NonSensitivityOptions extends MetricOptions, PerturbOptions, FeatureGroupOptions {
  /** |relevance| below this counts as zero. Default 1e-5. */
  eps?: number;
  /** |output change| below this counts as insensitive. Default 1e-5. */
  epsOutput?: number;
}

/** NonSensitivity violations per sample. */
export const NonSensitivity: MetricDef<NonSensitivityOptions> = {
  name: 'NonSensitivity',
  category: 'axiomatic',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const eps = o.eps ?? 1e-5, epsOut = o.epsOutput ?? 1e-5;
    if (!(eps >= 0) || !(epsOut >= 0)) throw new InvalidInputError('eps', 'must be non-negative');
    const f = resolveFeatures(ctx.spatial, o, () => positionFeatures(ctx.positions));
    const change = Array.from({ length: ctx.n }, () => new Float64Array(f.count));
    await runMaskedRows(ctx, f.count, (_i, k, mask) => {
      for (let p = 0; p < mask.length; p++) mask[p] = f.ids[p] === k ? 1 : 0;
    }, (i, k, s) => (change[i][k] = Math.abs(ctx.baseScores[i] - s)), o);
    return Float32Array.from(change, (c, i) => {
      const rel = featureRelevance(ctx.relevanceOf(i), f);
      let violations = 0;
      for (let k = 0; k < f.count; k++) if ((Math.abs(rel[k]) < eps) !== (c[k] < epsOut)) violations++;
      return violations;
    });
  },
};

/** NonSensitivity violations per sample. */
export function nonSensitivity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: NonSensitivityOptions = {}): Promise<Float32Array> {
  return runMetric(NonSensitivity, model, x, y, attribution, o);
}
