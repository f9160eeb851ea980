/**
 * LocalLipschitzEstimate (Alvarez-Melis & Jaakkola 2018): the largest ratio
 * ||a(x) - a(x')|| / ||x - x'|| over Gaussian perturbations x' of std `radius` (lower = more robust).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { l2 } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { reduceNoisyCopies, type RobustnessOptions } from './common.js';

/** LocalLipschitzEstimate per sample (needs `explain`). */
export const LocalLipschitzEstimate: MetricDef<RobustnessOptions> = {
  name: 'LocalLipschitzEstimate',
  category: 'robustness',
  needs: ['model', 'explain'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: (ctx, o) => reduceNoisyCopies(ctx, o, 'gaussian', 'max', (i, c) => {
    const d = l2(c.x, ctx.inputOf(i));
    return d > 0 ? l2(ctx.relevanceOf(i), c.relevance) / d : 0;
  }),
};

/** LocalLipschitzEstimate per sample. */
export function localLipschitzEstimate(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RobustnessOptions): Promise<Float32Array> {
  return runMetric(LocalLipschitzEstimate, model, x, y, attribution, o);
}
