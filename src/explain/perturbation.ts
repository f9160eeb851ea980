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
  /**
   * Masks (1 = replaced) for perturbations `index` of samples `samples` (inside tidy):
   * [rows, ...sample shape], or [rows, ...spatial, 1] shared by all channels.
   */
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
  const zero = repl === 0 || repl === 'zero';
  const baseline = typeof repl === 'function' || zero ? undefined : makeBaseline(ctx.input, repl, o);
  const fill: Fill = typeof repl === 'function' ? repl : baseline ?? 'zero';
  let passes = 0;
  try {
    await ctx.chunks(ctx.n * plan.count, (s, e) => {
      tf.tidy(() => {
        const samples = new Int32Array(e - s).map((_, r) => Math.floor((s + r) / plan.count));
        const index = new Int32Array(e - s).map((_, r) => (s + r) % plan.count);
        const masks = plan.masks(samples, index);
        const rows = perturbedRows(ctx.input, fill, samples, masks);
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

/** What fills masked values: zero, a baseline tensor of the input's shape, or a function. */
type Fill = 'zero' | tf.Tensor | ((rows: tf.Tensor, masks: tf.Tensor) => tf.Tensor);

/**
 * x * (1 - masks) + fill * masks for rows of `samples` (inside tidy). With a baseline, rows
 * of one sample use that sample once and broadcast (no copies); zero skips the fill term.
 */
function perturbedRows(input: tf.Tensor, fill: Fill, samples: Int32Array, masks: tf.Tensor): tf.Tensor {
  if (typeof fill === 'function') {
    const x = pickRows(input, samples);
    const full = masks.shape.length === x.shape.length && masks.shape.every((d, i) => d === x.shape[i]) ? masks : tf.broadcastTo(masks, x.shape);
    const values = fill(x, full);
    if (!values.shape.every((d, i) => d === x.shape[i]) || values.shape.length !== x.shape.length) {
      throw new InvalidInputError('baseline', `replacement function returned [${values.shape}] for rows [${x.shape}]`);
    }
    return tf.add(tf.mul(x, tf.sub(1, full)), tf.mul(values, full));
  }
  const one = samples.every((v) => v === samples[0]);
  const rowsOf = (t: tf.Tensor) => (one ? tf.slice(t, samples[0], 1) : pickRows(t, samples));
  const kept = tf.mul(rowsOf(input), tf.sub(1, masks));
  return fill === 'zero' ? kept : tf.add(kept, tf.mul(rowsOf(fill), masks));
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
  let count = 0;
  for (let j = 0; j < size; j++) if (ids[j] >= count) count = ids[j] + 1;
  const m = new Float32Array(rows * size);
  const state = new Float32Array(count);
  for (let r = 0; r < rows; r++) {
    // One call per feature, then a table lookup per element.
    for (let f = 0; f < count; f++) state[f] = kept(r, f) ? 0 : 1;
    const off = r * size;
    for (let j = 0; j < size; j++) m[off + j] = state[ids[j]];
  }
  return tf.tensor(m, [rows, ...sampleShape]);
}

/** Spreads per-feature values of each sample onto its elements: [N * size]. */
export function spreadFeatures(perFeature: Float64Array | Float32Array, n: number, count: number, ids: Int32Array): Float32Array {
  const size = ids.length;
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) out[i * size + j] = perFeature[i * count + ids[j]];
  return out;
}
