/**
 * MaxSensitivity and AvgSensitivity (Yeh et al. 2019): the largest (mean) relative change of the
 * explanation, ||a(x) - a(x + noise)|| / ||a(x)||, over uniform noise of radius `radius`
 * (lower = more robust).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { l2 } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { reduceNoisyCopies, type RobustnessOptions } from './common.js';

function sensitivityMetric(name: string, mode: 'max' | 'mean'): MetricDef<RobustnessOptions> {
  return {
    name,
    category: 'robustness',
    needs: ['model', 'explain'],
    ranks: [1, 2, 3],
    higherIsBetter: false,
    run: async (ctx, o) => {
      return reduceNoisyCopies(ctx, o, 'uniform', mode, (i, c) => {
        const a = ctx.relevanceOf(i);
        const norm = l2(a);
        return l2(a, c.relevance) / (norm > 0 ? norm : 1);
      });
    },
  };
}

/** MaxSensitivity per sample (needs `explain`). */
export const MaxSensitivity = sensitivityMetric('MaxSensitivity', 'max');
/** AvgSensitivity per sample (needs `explain`). */
export const AvgSensitivity = sensitivityMetric('AvgSensitivity', 'mean');

/** MaxSensitivity per sample. */
export function maxSensitivity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RobustnessOptions): Promise<Float32Array> {
  return runMetric(MaxSensitivity, model, x, y, attribution, o);
}

/** AvgSensitivity per sample. */
export function avgSensitivity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RobustnessOptions): Promise<Float32Array> {
  return runMetric(AvgSensitivity, model, x, y, attribution, o);
}
