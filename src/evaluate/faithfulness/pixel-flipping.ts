/**
 * PixelFlipping (Bach et al. 2015): positions are replaced cumulatively, most relevant first,
 * `featuresInStep` at a time; the score per sample is the area under the target-score curve
 * over the fraction replaced (lower = more faithful). `pixelFlippingCurves` gives the curves.
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { curveAreas, relevanceCurves, withCurves, type Curves, steppedFeatures, type SteppedOptions } from './common.js';

/** PixelFlipping options. */
export type PixelFlippingOptions = SteppedOptions;

/** PixelFlipping: AUC of the deletion curve per sample. */
export const PixelFlipping: MetricDef<PixelFlippingOptions> = {
  name: 'PixelFlipping',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const { f, steps } = steppedFeatures(ctx, o, 64);
    const curves = await relevanceCurves(ctx, f, steps, 'deletion', o);
    o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
    return curveAreas(curves, steps, f.count);
  },
};

/** PixelFlipping AUC per sample. */
export function pixelFlipping(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: PixelFlippingOptions = {}): Promise<Float32Array> {
  return runMetric(PixelFlipping, model, x, y, attribution, o);
}

/** PixelFlipping curves (fraction replaced per step, score per sample and step) with the AUCs as `scores`. */
export function pixelFlippingCurves(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: PixelFlippingOptions = {}): Promise<Curves & { scores: Float32Array }> {
  return withCurves(PixelFlipping, model, x, y, attribution, o);
}
