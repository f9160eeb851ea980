/**
 * IoU and Dice of the thresholded map against the mask: the positive relevance is scaled by its
 * maximum to [0, 1] and thresholded at several levels; a sample's score is the mean over levels
 * (`overlapCurve` gives the value per level).
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** Overlap options. */
export interface OverlapOptions extends MetricOptions {
  /** Levels in [0, 1] of the scaled map. Default 0.1, 0.2, ..., 0.9. */
  thresholds?: number[];
}

const DEFAULT_THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * IoU or Dice of `relevance` (positive part scaled by its max) thresholded at each level, vs
 * `mask`. Both empty counts as 1; an all-nonpositive map predicts nothing.
 */
export function overlapCurve(relevance: ArrayLike<number>, mask: ArrayLike<number>, thresholds: number[], kind: 'iou' | 'dice'): Float32Array {
  let max = 0;
  for (let p = 0; p < relevance.length; p++) max = Math.max(max, relevance[p]);
  return Float32Array.from(thresholds, (t) => {
    let inter = 0, pred = 0, truth = 0;
    for (let p = 0; p < relevance.length; p++) {
      const on = max > 0 && relevance[p] / max >= t ? 1 : 0;
      pred += on;
      truth += mask[p] ? 1 : 0;
      inter += on && mask[p] ? 1 : 0;
    }
    if (pred + truth === 0) return 1;
    return kind === 'iou' ? inter / (pred + truth - inter) : (2 * inter) / (pred + truth);
  });
}

function checkThresholds(t: number[] | undefined): number[] {
  const th = t ?? DEFAULT_THRESHOLDS;
  if (!Array.isArray(th) || th.length === 0 || th.some((v) => !(v >= 0 && v <= 1))) throw new InvalidInputError('thresholds', 'need one or more levels in [0, 1]');
  return th;
}

function overlapMetric(name: string, kind: 'iou' | 'dice'): MetricDef<OverlapOptions> {
  return {
    name,
    category: 'localisation',
    needs: ['mask'],
    ranks: [1, 2, 3],
    higherIsBetter: true,
    run: (ctx, o) => {
      const th = checkThresholds(o.thresholds);
      return ctx.perSample((i) => overlapCurve(ctx.relevanceOf(i), ctx.maskOf(i), th, kind).reduce((a, b) => a + b, 0) / th.length);
    },
  };
}

/** IoU of the thresholded map, mean over thresholds. */
export const IoU = overlapMetric('IoU', 'iou');
/** Dice of the thresholded map, mean over thresholds. */
export const Dice = overlapMetric('Dice', 'dice');

/** Mean IoU over thresholds per sample (needs `mask`). */
export function iou(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: OverlapOptions): Promise<Float32Array> {
  return runMetric(IoU, model, x, y, attribution, o);
}

/** Mean Dice over thresholds per sample (needs `mask`). */
export function dice(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: OverlapOptions): Promise<Float32Array> {
  return runMetric(Dice, model, x, y, attribution, o);
}
