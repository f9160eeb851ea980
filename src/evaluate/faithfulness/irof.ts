/**
 * IROF, iterative removal of features (Rieger & Hansen 2020): segments (user segments, a grid,
 * or SLIC-lite superpixels per sample with `segmentation: 'slic'`) are replaced by the sample
 * mean, most relevant (by mean relevance) first; the score is the area over the curve of scores relative to the unperturbed score, 1 - AUC(f(x_k) / f(x))
 * over the fraction removed (higher = more faithful). Use `softmax: true` for probabilities,
 * as in the paper; raw outputs near 0 make the ratio unstable.
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { cumulativeSteps, defaultCell, gridFeatures, resolveFeatures, type FeatureSet } from '../features.js';
import { slicSegments, type SlicOptions } from '../segments.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { curveAreas, relevanceCurves, type FaithfulnessOptions } from './common.js';

/** IROF options. */
export interface IrofOptions extends FaithfulnessOptions, SlicOptions {
  /** Segments when neither `segments` nor `cell` is given: a grid (default) or SLIC-lite superpixels per sample. */
  segmentation?: 'grid' | 'slic';
}

/** IROF: area over the relative score curve per sample. */
export const IROF: MetricDef<IrofOptions> = {
  name: 'IROF',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const grid = resolveFeatures(ctx.spatial, o, () => gridFeatures(ctx.spatial, defaultCell(ctx.spatial)));
    const slic = o.segmentation === 'slic' && o.segments === undefined && o.cell === undefined;
    const cache = new Map<number, FeatureSet>();
    const f = slic ? (i: number) => {
      if (!cache.has(i)) (cache.clear(), cache.set(i, slicSegments(ctx.inputOf(i), ctx.spatial, ctx.channels, o)));
      return cache.get(i)!;
    } : grid;
    const count = slic ? (f as (i: number) => FeatureSet)(0).count : grid.count;
    const steps = cumulativeSteps(count, 1);
    const raw = await relevanceCurves(ctx, f, steps, 'deletion', { ...o, baseline: o.baseline ?? 'mean' }, 'mean');
    const curves = raw.map((c, i) => c.map((v) => v / ctx.baseScores[i]));
    o.onCurves?.({ fractions: steps.map((s) => s / count), curves });
    return curveAreas(curves, steps, count).map((a) => 1 - a);
  },
};

/** IROF per sample. */
export function irof(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: IrofOptions = {}): Promise<Float32Array> {
  return runMetric(IROF, model, x, y, attribution, o);
}
