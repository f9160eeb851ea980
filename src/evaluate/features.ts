/**
 * Features that the faithfulness metrics remove or keep together: single positions, grid
 * patches (windows for signals, squares for images, blocks for volumes), or user segments
 * (e.g. ECG waves, superpixels), with their relevance sums and orderings.
 */
import { InvalidInputError } from '../errors.js';
import { gridSegments } from '../explain/spatial.js';
import { resolveFeatureMask } from '../explain/perturbation.js';
import { rankDescending } from './stats.js';

/** Feature id per position of a sample, and the number of features. */
export interface FeatureSet {
  ids: Int32Array;
  count: number;
}

/** How positions group into features. */
export interface FeatureGroupOptions {
  /** Feature id per position of one sample ([...spatial]), e.g. superpixels or ECG waves. */
  segments?: ArrayLike<number>;
  /** Grid cell size per spatial axis (patches). Ignored when `segments` is given. */
  cell?: number[];
}

/** Every position its own feature. */
export function positionFeatures(positions: number): FeatureSet {
  return { ids: Int32Array.from({ length: positions }, (_, i) => i), count: positions };
}

/** Features from options: user segments, grid patches of `cell`, or `fallback` when neither is given. */
export function resolveFeatures(spatial: number[], o: FeatureGroupOptions, fallback: () => FeatureSet): FeatureSet {
  if (o.segments !== undefined) {
    const positions = spatial.reduce((a, b) => a * b, 1);
    if (o.segments.length !== positions) throw new InvalidInputError('segments', `${o.segments.length} ids for ${positions} positions [${spatial}]`);
    return resolveFeatureMask([positions], o.segments);
  }
  if (o.cell !== undefined) return gridFeatures(spatial, o.cell);
  return fallback();
}

/** Grid patches of `cell` per spatial axis (the last patch on an axis may be smaller). */
export function gridFeatures(spatial: number[], cell: number[]): FeatureSet {
  const ids = gridSegments([...spatial, 1], cell);
  return { ids, count: cell.reduce((p, c, a) => p * Math.ceil(spatial[a] / c), 1) };
}

/** A cell giving about `perAxis` patches along every spatial axis. */
export function defaultCell(spatial: number[], perAxis = 8): number[] {
  return spatial.map((len) => Math.max(1, Math.ceil(len / perAxis)));
}

/** Relevance per feature: sum (or mean) of the positions' relevance. */
export function featureRelevance(relevance: ArrayLike<number>, f: FeatureSet, reduce: 'sum' | 'mean' = 'sum'): Float64Array {
  const out = new Float64Array(f.count);
  const n = new Float64Array(f.count);
  for (let p = 0; p < f.ids.length; p++) (out[f.ids[p]] += relevance[p]), n[f.ids[p]]++;
  if (reduce === 'mean') for (let k = 0; k < f.count; k++) out[k] = n[k] ? out[k] / n[k] : 0;
  return out;
}

/** Rank of each feature in an order (0 = first): most relevant first, or least relevant first. */
export function featureRanks(perFeature: ArrayLike<number>, mostRelevantFirst = true): Int32Array {
  const order = mostRelevantFirst ? rankDescending(perFeature) : rankDescending(Float64Array.from(perFeature as ArrayLike<number>, (v) => -v));
  const rank = new Int32Array(order.length);
  order.forEach((f, r) => (rank[f] = r));
  return rank;
}

/** Cumulative feature counts 0, s, 2s, ..., count (steps of `perStep` features). */
export function cumulativeSteps(count: number, perStep: number): number[] {
  if (!Number.isInteger(perStep) || perStep < 1) throw new InvalidInputError('featuresInStep', `must be a positive integer, got ${perStep}`);
  const out = [0];
  for (let k = perStep; k < count; k += perStep) out.push(k);
  out.push(count);
  return out;
}
