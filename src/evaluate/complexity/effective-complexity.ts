/** EffectiveComplexity (Nguyen & Martinez 2020): the number of positions with |relevance| above `eps`. */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** EffectiveComplexity options. */
export interface EffectiveComplexityOptions extends MetricOptions {
  /** Threshold on |relevance|. Default 1e-5. */
  eps?: number;
}

/** EffectiveComplexity per sample. */
export const EffectiveComplexity: MetricDef<EffectiveComplexityOptions> = {
  name: 'EffectiveComplexity',
  category: 'complexity',
  needs: [],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: (ctx, o) => {
    const eps = o.eps ?? 1e-5;
    if (!(eps >= 0)) throw new InvalidInputError('eps', 'must be a non-negative number');
    return ctx.perSample((i) => ctx.relevanceOf(i).reduce((c, v) => c + (Math.abs(v) > eps ? 1 : 0), 0));
  },
};

/** Count of positions with |relevance| > eps per sample (the model is not used). */
export function effectiveComplexity(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: EffectiveComplexityOptions = {}): Promise<Float32Array> {
  return runMetric(EffectiveComplexity, model, x, y, attribution, o);
}
