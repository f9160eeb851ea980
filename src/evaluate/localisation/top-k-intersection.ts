/** TopKIntersection (Theiner et al. 2021): the fraction of the k most relevant positions that lie inside the mask. */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { rankDescending } from '../stats.js';

/** TopKIntersection options. */
export interface TopKIntersectionOptions extends MetricOptions {
  /** Positions considered. Default 1000 (Quantus), at most all positions. */
  k?: number;
  /** Multiply by positions / mask size ("concept influence"). Default false. */
  conceptInfluence?: boolean;
}

/** How many of the k most relevant positions lie inside the mask. */
export function topKHits(relevance: ArrayLike<number>, mask: Uint8Array, k: number): number {
  let hits = 0;
  for (const p of rankDescending(relevance).subarray(0, k)) hits += mask[p];
  return hits;
}

/** TopKIntersection: |top-k ∩ mask| / k. */
export const TopKIntersection: MetricDef<TopKIntersectionOptions> = {
  name: 'TopKIntersection',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx, o) => {
    const k = Math.min(o.k ?? 1000, ctx.positions);
    if (!Number.isInteger(k) || k < 1) throw new InvalidInputError('k', `must be a positive integer, got ${o.k}`);
    return ctx.perSample((i) => {
      const m = ctx.maskOf(i);
      const hits = topKHits(ctx.relevanceOf(i), m, k);
      const area = m.reduce((s, v) => s + v, 0);
      return o.conceptInfluence ? (hits / k) * (m.length / area) : hits / k;
    });
  },
};

/** TopKIntersection per sample (needs `mask`). */
export function topKIntersection(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: TopKIntersectionOptions): Promise<Float32Array> {
  return runMetric(TopKIntersection, model, x, y, attribution, o);
}
