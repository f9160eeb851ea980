/**
 * The perturbation engine shared by Occlusion, FeatureAblation, Shapley sampling, LIME,
 * KernelSHAP, RISE (and the faithfulness metrics): perturbed copies are generated chunk by
 * chunk (`internalBatchSize` rows, across samples), each chunk runs in ONE forward pass, and
 * the method accumulates from the scores. A perturbation is a mask (1 = replaced) and a
 * replacement: a baseline value/tensor, or a function (e.g. generative infill) of the rows
 * and masks.
 */
import { tf, tidyData } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { makeBaseline, type BaselineOptions, type BaselineSpec } from './baselines.js';
import type { ExplainContext } from './base.js';
import { pickRows } from './gradient-rows.js';
import { splitSampleShape } from './spatial.js';

/** What replaces masked values: a baseline, or `fn(rows, masks)` giving replacement values ([rows, ...]). */
export type Replacement = BaselineSpec | ((rows: tf.Tensor, masks: tf.Tensor) => tf.Tensor);

/** A set of perturbations per sample and how the method accumulates their scores. */
export interface PerturbationPlan {
  /** Perturbations per sample. */
  count: number;
  /** Masks [rows, ...sample shape] (1 = replaced) for perturbations `index` of samples `samples` (inside tidy). */
  masks(samples: Int32Array, index: Int32Array): tf.Tensor;
  /** Receives the chunk's target scores (inside the chunk's tidy; `masks` still alive). */
  consume(samples: Int32Array, index: Int32Array, scores: Float32Array, masks: tf.Tensor): void;
}

/** Options shared by perturbation methods. */
export interface PerturbationOptions extends BaselineOptions {
  /** Replacement of masked values. Default 0. */
  baseline?: Replacement;
}

/**
 * Runs every perturbation of every sample through the model, `ctx.batchSize` rows per forward.
 * Returns the number of forward passes made.
 */
export async function runPerturbations(ctx: ExplainContext, plan: PerturbationPlan, o: PerturbationOptions = {}): Promise<number> {
  const repl = o.baseline ?? 0;
  const baseline = typeof repl === 'function' ? undefined : makeBaseline(ctx.input, repl, o);
  let passes = 0;
  try {
    await ctx.chunks(ctx.n * plan.count, (s, e) => {
      tf.tidy(() => {
        const samples = new Int32Array(e - s).map((_, r) => Math.floor((s + r) / plan.count));
        const index = new Int32Array(e - s).map((_, r) => (s + r) % plan.count);
        const masks = plan.masks(samples, index);
        const x = pickRows(ctx.input, samples);
        const fill = baseline ? pickRows(baseline, samples) : (repl as (r: tf.Tensor, m: tf.Tensor) => tf.Tensor)(x, masks);
        if (!fill.shape.every((d, i) => d === x.shape[i]) || fill.shape.length !== x.shape.length) {
          throw new InvalidInputError('baseline', `replacement function returned [${fill.shape}] for rows [${x.shape}]`);
        }
        const rows = tf.add(tf.mul(x, tf.sub(1, masks)), tf.mul(fill, masks));
        const scores = tidyData(() => ctx.scores(rows, samples).dataSync() as Float32Array);
        passes++;
        plan.consume(samples, index, scores, masks);
      });
    });
  } finally {
    baseline?.dispose();
  }
  return passes;
}

/**
 * Feature id per element of one sample from a user mask: one id per element, or one per
 * spatial position (broadcast over channels). Default: every element its own feature.
 * Returns ids renumbered 0..F-1 and F.
 */
export function resolveFeatureMask(sampleShape: number[], mask?: ArrayLike<number>): { ids: Int32Array; count: number } {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const { channels } = splitSampleShape(sampleShape);
  let ids: Int32Array;
  if (mask === undefined) ids = new Int32Array(size).map((_, i) => i);
  else if (mask.length === size) ids = Int32Array.from(mask);
  else if (mask.length * channels === size && sampleShape.length > 1) ids = Int32Array.from({ length: size }, (_, i) => mask[Math.floor(i / channels)]);
  else throw new InvalidInputError('featureMask', `${mask.length} ids for a sample of shape [${sampleShape}] (need ${size} or ${size / channels})`);
  if (ids.some((v) => !Number.isInteger(v) || v < 0)) throw new InvalidInputError('featureMask', 'ids must be non-negative integers');
  const remap = new Map<number, number>();
  for (const v of ids) if (!remap.has(v)) remap.set(v, remap.size);
  return { ids: ids.map((v) => remap.get(v)!), count: remap.size };
}

/** Masks [rows, ...sample] from per-row binary feature states (1 = feature kept), inside tidy. */
export function masksFromFeatures(sampleShape: number[], ids: Int32Array, kept: (row: number, feature: number) => boolean, rows: number): tf.Tensor {
  const size = ids.length;
  const m = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) for (let j = 0; j < size; j++) m[r * size + j] = kept(r, ids[j]) ? 0 : 1;
  return tf.tensor(m, [rows, ...sampleShape]);
}

/** Spreads per-feature values of each sample onto its elements: [N * size]. */
export function spreadFeatures(perFeature: Float64Array | Float32Array, n: number, count: number, ids: Int32Array): Float32Array {
  const size = ids.length;
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) out[i * size + j] = perFeature[i * count + ids[j]];
  return out;
}
