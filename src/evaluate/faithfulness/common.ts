/**
 * Pieces shared by the faithfulness metrics: their options, curves along the relevance order
 * (deletion / insertion), and the area under a curve over the fraction of features replaced.
 */
import { InvalidInputError } from '../../errors.js';
import type { EvalContext } from '../base.js';
import { cumulativeSteps, featureRanks, featureRelevance, positionFeatures, resolveFeatures, type FeatureGroupOptions, type FeatureSet } from '../features.js';
import { deletionSelector, insertionSelector, orderedScores, type PerturbOptions } from '../perturb.js';
import { trapezoid } from '../stats.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** Curves of a curve metric: x positions (fraction of features replaced or kept) and one score curve per sample. */
export interface Curves {
  fractions: number[];
  curves: Float32Array[];
}

/** Options of the perturbation-based faithfulness metrics. */
export interface FaithfulnessOptions extends MetricOptions, PerturbOptions, FeatureGroupOptions {
  /** Receives the score curves of curve metrics (PixelFlipping, Deletion, Insertion, IROF, ROAD...). */
  onCurves?: (curves: Curves) => void;
}

/** Options of the metrics that replace features `featuresInStep` at a time. */
export interface SteppedOptions extends FaithfulnessOptions {
  /** Features per step. Default: about 1/32 of them (PixelFlipping: 1/64; Quantus: 1). */
  featuresInStep?: number;
}

/** The features (positions unless grouped by the options) and cumulative counts of `featuresInStep` (default count / `defaultSteps`). */
export function steppedFeatures(ctx: EvalContext, o: SteppedOptions, defaultSteps: number): { f: FeatureSet; steps: number[] } {
  const f = resolveFeatures(ctx.spatial, o, () => positionFeatures(ctx.positions));
  return { f, steps: cumulativeSteps(f.count, o.featuresInStep ?? Math.max(1, Math.ceil(f.count / defaultSteps))) };
}

/**
 * Per-sample feature ranks along the relevance order, and the summed relevance of each group
 * [steps[k], steps[k+1]) of that order.
 */
export function groupedRelevance(ctx: EvalContext, f: FeatureSet, steps: number[], mostRelevantFirst = true): { ranks: (i: number) => Int32Array; groups: (i: number) => Float64Array } {
  const perFeature = (i: number) => featureRelevance(ctx.relevanceOf(i), f);
  const ranks = (i: number) => featureRanks(perFeature(i), mostRelevantFirst);
  return { ranks, groups: (i) => groupRelevance(perFeature(i), ranks(i), steps) };
}

/** Relevance of each group [steps[k], steps[k+1]) of a sample's order. */
function groupRelevance(perFeature: Float64Array, ranks: Int32Array, steps: number[]): Float64Array {
  const out = new Float64Array(steps.length - 1);
  for (let f = 0; f < perFeature.length; f++) {
    for (let k = 0; k + 1 < steps.length; k++) if (ranks[f] >= steps[k] && ranks[f] < steps[k + 1]) out[k] += perFeature[f];
  }
  return out;
}

/** Runs a curve metric and returns its curves with the per-sample scores. */
export async function withCurves<O extends FaithfulnessOptions>(
  def: MetricDef<O>, model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: O,
): Promise<Curves & { scores: Float32Array }> {
  let got: Curves | undefined;
  const scores = await runMetric(def, model, x, y, attribution, { ...o, onCurves: (c: Curves) => (got = c) });
  if (!got) throw new Error(`${def.name} reported no curves`);
  return { ...(got as Curves), scores };
}

/** Cumulative feature counts at `intervals` even fractions of `count` (0 and count included). */
export function fractionSteps(count: number, intervals: number): number[] {
  if (!Number.isInteger(intervals) || intervals < 1) throw new InvalidInputError('steps', `must be a positive integer, got ${intervals}`);
  const out: number[] = [];
  for (let k = 0; k <= intervals; k++) {
    const v = Math.round((k * count) / intervals);
    if (out.length === 0 || v > out[out.length - 1]) out.push(v);
  }
  return out;
}

/** Scores after replacing (deletion) or keeping (insertion) the first `steps[k]` features, most relevant first. */
export async function relevanceCurves(
  ctx: EvalContext,
  features: FeatureSet | ((i: number) => FeatureSet),
  steps: number[],
  mode: 'deletion' | 'insertion',
  o: PerturbOptions,
  reduce: 'sum' | 'mean' = 'sum',
  mostRelevantFirst = true,
): Promise<Float32Array[]> {
  const of = (i: number) => (typeof features === 'function' ? features(i) : features);
  const ranks = (i: number) => featureRanks(featureRelevance(ctx.relevanceOf(i), of(i), reduce), mostRelevantFirst);
  const select = mode === 'deletion' ? deletionSelector(steps) : insertionSelector(steps);
  return orderedScores(ctx, features, ranks, steps.length, select, o);
}

/** Area under each curve over the fraction of features (steps / count, on [0, 1]). */
export function curveAreas(curves: Float32Array[], steps: number[], count: number): Float32Array {
  const xs = steps.map((s) => s / count);
  return Float32Array.from(curves, (c) => trapezoid(c, xs));
}
