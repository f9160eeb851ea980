/** PointingGame (Zhang et al. 2018): 1 when the most relevant position lies inside the mask, else 0. */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { rankDescending } from '../stats.js';

/** PointingGame: hit (1) or miss (0) per sample. */
export const PointingGame: MetricDef = {
  name: 'PointingGame',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx) => ctx.perSample((i) => ctx.maskOf(i)[rankDescending(ctx.relevanceOf(i))[0]]),
};

/** Pointing game hit per sample (needs `mask`). */
export function pointingGame(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions): Promise<Float32Array> {
  return runMetric(PointingGame, model, x, y, attribution, o);
}
