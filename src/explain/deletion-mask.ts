/**
 * Learned deletion mask: meaningful perturbation (Fong & Vedaldi, ICCV 2017) with the optional
 * area constraint of extremal perturbation (Fong, Patrick & Vedaldi, ICCV 2019). A smooth
 * low-resolution mask m in [0, 1] (sigmoid of a parameter grid, upsampled with the shared
 * spatial helpers) is optimised with Adam so that deleting the input where m = 1,
 *   x' = x (1 - m) + r m,   r = blurred / noisy / mean / constant / infilled input,
 * removes the target score while deleting little and staying smooth:
 *   loss = f(x') / |f(x)| + lambdaArea * area(m) + lambdaTv * TV(m).
 * area(m) is mean(m), or with `area: a` the extremal-perturbation constraint
 * mean((sort(m) - ref_a)^2) where ref_a has a fraction a of ones. The attribution is m
 * (high = relevant). 1D signals [N, T, C] get a mask over time, or one per lead (`perLead`);
 * images and volumes a mask over pixels/voxels shared by the channels.
 */
import { tf, tidyData } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { makeBaseline, type BaselineOptions } from './baselines.js';
import { pickRows } from './gradient-rows.js';
import type { InfillFunction } from './infill/types.js';
import { harmonicInfill, linearInfill } from './infill/classical.js';
import { linearResize } from './mask-resize.js';
import { interpolationName, splitSampleShape } from './spatial.js';
import type { CommonOptions, ModelLike } from './types.js';

/**
 * What deleted elements become: a blurred copy, additive noise, the sample mean, a constant or
 * tensor, an infill function, or 'infill' (statistical infill without training: linear
 * interpolation plus matched noise for signals, harmonic fill for images and volumes).
 */
export type MaskPerturbation = 'blur' | 'noise' | 'mean' | 'infill' | number | tf.Tensor | InfillFunction;

/** Options of the deletion mask. */
export interface DeletionMaskOptions extends CommonOptions, BaselineOptions {
  /** Mask parameter grid per spatial axis (default ceil(size / 8) per axis). */
  grid?: number[];
  /** 1D signals: one mask per lead/channel instead of one shared over leads. Default false. */
  perLead?: boolean;
  /** Replacement of deleted elements (default 'blur'; sigma via `blurSigma`). */
  perturbation?: MaskPerturbation;
  /** Standard deviation of 'noise' (default: the input's standard deviation). */
  noiseStd?: number;
  /** Adam steps (default 300). */
  steps?: number;
  /** Adam learning rate on the mask logits (default 0.1). */
  learningRate?: number;
  /** Weight of the area term (default 1, or 10 with `area`). */
  lambdaArea?: number;
  /** Weight of the total-variation term on the mask grid (default 0.2). */
  lambdaTv?: number;
  /** Extremal-perturbation area constraint: fraction of the grid to delete, in (0, 1). */
  area?: number;
  /** With an infill function: steps between recomputing the infilled reference (default 10). */
  infillEvery?: number;
}

/** One optimisation step (means over the samples of a chunk). */
export interface MaskTraceStep {
  step: number;
  loss: number;
  /** Target score of the perturbed input divided by |f(x)|. */
  score: number;
  /** Mean of the mask. */
  area: number;
}

/** Mask, trace and scores of a learned deletion mask. */
export interface DeletionMaskResult {
  /** The upsampled mask in the input's shape (1 = deleting here removes the score). */
  attribution: Attribution;
  /** Per step; one trace per chunk of samples, concatenated. */
  trace: MaskTraceStep[];
  /** Target score of each unperturbed sample. */
  baseScores: Float32Array;
  /** Target score of each sample deleted with its final mask. */
  deletedScores: Float32Array;
}

function positiveInt(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(what, `must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(what: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) throw new InvalidInputError(what, `must be a finite number >= 0, got ${v}`);
  return v;
}

/** Resolved geometry of the mask for a sample shape. */
interface MaskGeometry {
  spatial: number[];
  channels: number;
  grid: number[];
  maskChannels: number;
}

function maskGeometry(sampleShape: number[], o: DeletionMaskOptions): MaskGeometry {
  const { spatial, channels } = splitSampleShape(sampleShape);
  const grid = o.grid ?? spatial.map((s) => Math.ceil(s / 8));
  if (!Array.isArray(grid) || grid.length !== spatial.length) throw new InvalidInputError('grid', `needs ${spatial.length} sizes for spatial shape [${spatial}]`);
  grid.forEach((g, a) => {
    positiveInt('grid', g);
    if (g > spatial[a]) throw new InvalidInputError('grid', `size ${g} exceeds the axis length ${spatial[a]}`);
  });
  if (o.perLead && spatial.length !== 1) throw new InvalidInputError('perLead', 'applies to 1D signals [N, T, C] only');
  return { spatial, channels, grid, maskChannels: o.perLead ? channels : 1 };
}

/** Mask logits [n, ...grid, Cm] -> mask in the input's shape [n, ...sample]. */
function fullMask(param: tf.Tensor, g: MaskGeometry, sampleShape: number[]): tf.Tensor {
  return fullMaskOf(tf.sigmoid(param), g, sampleShape);
}

/** Low-resolution mask values [n, ...grid, Cm] -> [n, ...sample]. */
function fullMaskOf(low: tf.Tensor, g: MaskGeometry, sampleShape: number[]): tf.Tensor {
  const m = linearResize(low, g.spatial);
  const n = low.shape[0];
  const b = g.maskChannels === g.channels ? m : tf.broadcastTo(m, [n, ...g.spatial, g.channels]);
  return tf.reshape(b, [n, ...sampleShape]);
}

/** Mean squared difference of neighbouring grid cells along every spatial axis, per row ([n]). */
function totalVariation(m: tf.Tensor): tf.Tensor {
  const n = m.shape[0];
  const rank = m.shape.length - 2;
  let tv = tf.zeros([n]);
  for (let a = 1; a <= rank; a++) {
    const len = m.shape[a];
    if (len < 2) continue;
    const size = m.shape.slice();
    size[a] = len - 1;
    const begin = new Array(m.shape.length).fill(0);
    const begin1 = begin.slice();
    begin1[a] = 1;
    const d = tf.sub(tf.slice(m, begin1, size), tf.slice(m, begin, size));
    tv = tf.add(tv, tf.mean(tf.reshape(tf.square(d), [n, -1]), 1));
  }
  return tv;
}

/** Reference r for the fixed perturbations ([rows, ...sample]); infill functions are handled in the loop. */
function fixedReference(x: tf.Tensor, p: Exclude<MaskPerturbation, InfillFunction | 'infill'>, o: DeletionMaskOptions, rng: Rng): tf.Tensor {
  return tf.tidy(() => {
    if (p === 'blur') return makeBaseline(x, 'blurred', o);
    if (p === 'mean') {
      const axes = x.shape.length === 2 ? [1] : [...Array(x.shape.length - 2).keys()].map((i) => i + 1);
      return tf.broadcastTo(tf.mean(x, axes, true), x.shape);
    }
    if (p === 'noise') {
      const std = o.noiseStd ?? tidyData(() => tf.moments(x).variance.dataSync()[0] ** 0.5);
      nonNegative('noiseStd', std);
      const e = new Float32Array(x.size);
      for (let i = 0; i < e.length; i++) e[i] = rng.normal(0, std);
      return tf.add(x, tf.tensor(e, x.shape));
    }
    if (typeof p === 'number' || p instanceof tf.Tensor) return makeBaseline(x, p, o);
    throw new InvalidInputError('perturbation', `unknown perturbation '${String(p)}' (blur, noise, mean, a number, a tensor or an infill function)`);
  });
}

/** Target vector of the extremal area constraint: a fraction `area` of ones at the top of the sorted mask. */
function areaReference(cells: number, area: number): Float32Array {
  const ref = new Float32Array(cells);
  const ones = Math.round(area * cells);
  ref.fill(1, cells - ones);
  return ref;
}

/**
 * Optimises the deletion mask of every sample (chunks of `internalBatchSize` samples) and
 * returns the mask as an attribution with the optimisation trace and the deleted scores.
 */
export async function learnDeletionMask(model: ModelLike, input: tf.Tensor, options: DeletionMaskOptions = {}): Promise<DeletionMaskResult> {
  const explainer = new DeletionMask(model);
  const attribution = await explainer.attribute(input, options);
  return { attribution, ...explainer.last! };
}

/** The deletion mask as an explainer (registered as `DeletionMask`); `last` holds the trace of the latest run. */
export class DeletionMask extends Explainer<DeletionMaskOptions> {
  readonly name = 'DeletionMask';
  /** Trace and scores of the latest `attribute` call. */
  last?: Omit<DeletionMaskResult, 'attribution'>;

  protected async run(ctx: ExplainContext, o: DeletionMaskOptions): Promise<Attribution> {
    const steps = positiveInt('steps', o.steps ?? 300);
    const lr = o.learningRate ?? 0.1;
    if (!(lr > 0 && Number.isFinite(lr))) throw new InvalidInputError('learningRate', `must be a positive number, got ${lr}`);
    if (o.area !== undefined && !(o.area > 0 && o.area < 1)) throw new InvalidInputError('area', `must lie in (0, 1), got ${o.area}`);
    const lambdaArea = nonNegative('lambdaArea', o.lambdaArea ?? (o.area === undefined ? 1 : 10));
    const lambdaTv = nonNegative('lambdaTv', o.lambdaTv ?? 0.2);
    const infillEvery = positiveInt('infillEvery', o.infillEvery ?? 10);
    const pert = o.perturbation === 'infill' ? (ctx.rank === 1 ? linearInfill({ seed: o.seed }) : harmonicInfill()) : o.perturbation ?? 'blur';
    const g = maskGeometry(ctx.sampleShape, o);
    const cells = g.grid.reduce((a, b) => a * b, 1) * g.maskChannels;
    const ref = o.area === undefined ? undefined : areaReference(cells, o.area);
    const rng = new Rng(o.seed ?? 0);
    const out = new Float32Array(ctx.n * ctx.sampleSize);
    const deleted = new Float32Array(ctx.n);
    const trace: MaskTraceStep[] = [];
    for (let s = 0; s < ctx.n; s += ctx.batchSize) {
      const e = Math.min(ctx.n, s + ctx.batchSize);
      const rows = e - s;
      const samples = new Int32Array(rows).map((_, i) => s + i);
      const scale = tf.tensor1d(Array.from(samples, (i) => 1 / Math.max(Math.abs(ctx.baseScores[i]), 1e-6)));
      const x = pickRows(ctx.input, samples);
      const param = tf.variable(tf.zeros([rows, ...g.grid, g.maskChannels]));
      const opt = tf.train.adam(lr);
      const blurred = typeof pert === 'function' ? makeBaseline(x, 'blurred', o) : undefined;
      let reference = blurred ? tf.clone(blurred) : fixedReference(x, pert as Exclude<MaskPerturbation, InfillFunction | 'infill'>, o, rng);
      const refT = ref ? tf.tensor2d(ref, [1, cells]) : undefined;
      try {
        for (let step = 0; step < steps; step++) {
          if (typeof pert === 'function' && step % infillEvery === 0) {
            // Infill where a binary mask drawn cell by cell from Bernoulli(m) deletes (as FIDO,
            // Chang et al. 2019), the blurred input elsewhere: cells not yet deleted still get a
            // gradient towards deletion, and the infill sees contiguous holes.
            const u = new Float32Array(param.size).map(() => rng.next());
            const next = tf.tidy(() => {
              const drawn = tf.cast(tf.greater(tf.sigmoid(param), tf.tensor(u, param.shape)), 'float32');
              const hard = tf.cast(tf.greater(fullMaskOf(drawn, g, ctx.sampleShape), 0.5), 'float32');
              return tf.add(tf.mul(checkedInfill(pert, x, hard), hard), tf.mul(blurred!, tf.sub(1, hard)));
            });
            reference.dispose();
            reference = next;
          }
          // Sort order of each row's mask taken outside the gradient; gather keeps it differentiable.
          const order = ref ? sortOrder(param, rows, cells) : undefined;
          // The area constraint is ramped up over the first half (as TorchRay's extremal
          // perturbation grows its weight) so that the score term picks the cells first.
          const areaWeight = ref ? lambdaArea * Math.min(1, (2 * (step + 1)) / steps) : lambdaArea;
          let parts: number[] = [];
          const cost = opt.minimize(() => {
            const low = tf.sigmoid(param);
            const m = fullMask(param, g, ctx.sampleShape);
            const xp = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(reference, m));
            const score = tf.mul(ctx.scores(xp, samples), scale);
            const flat = tf.reshape(low, [rows, cells]);
            const areaTerm = order
              ? tf.mean(tf.square(tf.sub(tf.reshape(tf.gather(tf.reshape(flat, [-1]), order), [rows, cells]), refT!)), 1)
              : tf.mean(flat, 1);
            const tv = totalVariation(low);
            const loss = tf.add(score, tf.add(tf.mul(areaTerm, areaWeight), tf.mul(tv, lambdaTv)));
            parts = [tf.mean(score).dataSync()[0], tf.mean(flat).dataSync()[0]];
            return tf.sum(loss) as tf.Scalar;
          }, true, [param]);
          const lossValue = cost!.dataSync()[0] / rows;
          cost!.dispose();
          order?.dispose();
          trace.push({ step, loss: lossValue, score: parts[0], area: parts[1] });
          ctx.progress(rows, ctx.n * steps);
          if (step % 10 === 9) await Promise.resolve();
        }
        tf.tidy(() => {
          const m = fullMask(param, g, ctx.sampleShape);
          out.set(m.dataSync(), s * ctx.sampleSize);
          const xp = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(reference, m));
          deleted.set(ctx.scores(xp, samples).dataSync(), s);
        });
      } finally {
        tf.dispose([scale, x, param, reference, ...(refT ? [refT] : []), ...(blurred ? [blurred] : [])]);
        opt.dispose();
      }
    }
    this.last = { trace, baseScores: ctx.baseScores.slice(), deletedScores: deleted };
    return ctx.attribution(out, { grid: { layer: 'mask', shape: g.grid, upsampling: interpolationName(ctx.rank) } });
  }
}

/** Ascending sort order of each row's mask logits, as flat int32 indices into [rows * cells]. */
function sortOrder(param: tf.Tensor, rows: number, cells: number): tf.Tensor {
  const v = param.dataSync();
  const idx = new Int32Array(rows * cells);
  for (let r = 0; r < rows; r++) {
    const o = Array.from({ length: cells }, (_, j) => j).sort((a, b) => v[r * cells + a] - v[r * cells + b]);
    idx.set(o.map((j) => r * cells + j), r * cells);
  }
  return tf.tensor1d(idx, 'int32');
}

/** Runs an infill function and checks that it returned x's shape. */
function checkedInfill(fn: InfillFunction, x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const r = fn(x, mask);
  if (r.shape.length !== x.shape.length || !r.shape.every((d, i) => d === x.shape[i])) {
    throw new InvalidInputError('perturbation', `infill function returned [${r.shape}] for rows [${x.shape}]`);
  }
  return r;
}
