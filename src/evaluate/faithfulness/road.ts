/**
 * ROAD, remove and debias (Rong et al. 2022): the top `percentages` of positions (most relevant
 * first, or least with `order: 'lerf'`) are replaced by noisy linear imputation, and the model is
 * checked to still predict the class; the score is the fraction of percentages at which it does
 * (MoRF: lower = more faithful; LeRF: higher).
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { positionFeatures } from '../features.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { relevanceCurves, type FaithfulnessOptions } from './common.js';

/** ROAD options. */
export interface RoadOptions extends FaithfulnessOptions {
  /** Fractions of positions removed. Default 0.1, 0.2, ..., 0.9. */
  percentages?: number[];
  /** Most relevant first (default) or least relevant first. */
  order?: 'morf' | 'lerf';
}

/** ROAD: fraction of removal levels at which the prediction is kept, per sample. */
export const ROAD: MetricDef<RoadOptions> = {
  name: 'ROAD',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const pct = o.percentages ?? [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    if (!Array.isArray(pct) || pct.length === 0 || pct.some((p) => !(p >= 0 && p <= 1))) throw new InvalidInputError('percentages', 'need fractions in [0, 1]');
    const f = positionFeatures(ctx.positions);
    const steps = pct.map((p) => Math.round(p * f.count));
    ctx.scoreKind = 'correct';
    const curves = await relevanceCurves(ctx, f, steps, 'deletion', { ...o, baseline: o.baseline ?? 'road' }, 'sum', o.order !== 'lerf');
    o.onCurves?.({ fractions: pct, curves });
    return Float32Array.from(curves, (c) => c.reduce((a, b) => a + b, 0) / c.length);
  },
};

/** ROAD score per sample. */
export function road(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RoadOptions = {}): Promise<Float32Array> {
  return runMetric(ROAD, model, x, y, attribution, o);
}
