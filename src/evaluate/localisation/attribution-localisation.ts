/**
 * AttributionLocalisation (Kohlbrenner et al. 2020): the share of positive relevance that falls
 * inside the mask; with `weighted`, divided by the mask's share of the input (1 = chance level).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** AttributionLocalisation options. */
export interface AttributionLocalisationOptions extends MetricOptions {
  /** Divide by the mask's fraction of positions. Default false. */
  weighted?: boolean;
}

/** AttributionLocalisation: positive relevance inside the mask / all positive relevance (NaN when none is positive). */
export const AttributionLocalisation: MetricDef<AttributionLocalisationOptions> = {
  name: 'AttributionLocalisation',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx, o) =>
    ctx.perSample((i) => {
      const a = ctx.relevanceOf(i), m = ctx.maskOf(i);
      let inside = 0, total = 0, area = 0;
      for (let p = 0; p < a.length; p++) {
        const v = Math.max(0, a[p]);
        total += v;
        if (m[p]) (inside += v), area++;
      }
      const share = total > 0 ? inside / total : NaN;
      return o.weighted ? share / (area / a.length) : share;
    }),
};

/** AttributionLocalisation per sample (needs `mask`). */
export function attributionLocalisation(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: AttributionLocalisationOptions): Promise<Float32Array> {
  return runMetric(AttributionLocalisation, model, x, y, attribution, o);
}
