/**
 * RelativeInputStability and RelativeOutputStability (Agarwal et al. 2022): the largest ratio of
 * the explanation's relative change ||(a - a') / a|| to the input's relative change
 * ||(x - x') / x|| (RIS) or to the change of the model outputs ||h(x) - h(x')|| (ROS), with
 * zeros replaced by `epsMin` as in Quantus (lower = more stable).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { l2 } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { reduceNoisyCopies, type RobustnessOptions } from './common.js';

/** Relative stability options. */
export interface RelativeStabilityOptions extends RobustnessOptions {
  /** Guard for divisions by zero. Default 1e-6. */
  epsMin?: number;
}

/** ||(a - b) / (a or eps)||_2. */
function relativeChange(a: ArrayLike<number>, b: ArrayLike<number>, eps: number): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += ((a[j] - b[j]) / (a[j] === 0 ? eps : a[j])) ** 2;
  return Math.sqrt(s);
}

function stabilityMetric(name: string, denominator: 'input' | 'output'): MetricDef<RelativeStabilityOptions> {
  return {
    name,
    category: 'robustness',
    needs: ['model', 'explain'],
    ranks: [1, 2, 3],
    higherIsBetter: false,
    run: async (ctx, o) => {
      const eps = o.epsMin ?? 1e-6;
      const base = denominator === 'output' ? ctx.outputRows(ctx.input) : undefined;
      return reduceNoisyCopies(ctx, o, 'uniform', 'max', (i, c) => {
        const num = relativeChange(ctx.relevanceOf(i), c.relevance, eps);
        const den = base && c.output ? l2(base.values.subarray(i * base.k, (i + 1) * base.k), c.output) : relativeChange(ctx.inputOf(i), c.x, eps);
        return num / Math.max(den, eps);
      }, denominator === 'output');
    },
  };
}

/** RelativeInputStability per sample (needs `explain`). */
export const RelativeInputStability = stabilityMetric('RelativeInputStability', 'input');
/** RelativeOutputStability per sample (needs `explain`). */
export const RelativeOutputStability = stabilityMetric('RelativeOutputStability', 'output');

/** RelativeInputStability per sample. */
export function relativeInputStability(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RelativeStabilityOptions): Promise<Float32Array> {
  return runMetric(RelativeInputStability, model, x, y, attribution, o);
}

/** RelativeOutputStability per sample. */
export function relativeOutputStability(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RelativeStabilityOptions): Promise<Float32Array> {
  return runMetric(RelativeOutputStability, model, x, y, attribution, o);
}
