/**
 * The metric base: validates inputs, attribution and mask, reduces the attribution to one
 * relevance per spatial position, resolves the explained class, and runs perturbed copies
 * through the model in chunks (one forward per chunk of `internalBatchSize` rows, across
 * samples) by extending the explainers' `ExplainContext`, so metrics share the explainers'
 * batching and perturbation engine. Progress is reported over samples.
 */
import { tf, tfl, tidyData } from '../backend/tf.js';
import { InvalidInputError, UnsupportedError } from '../errors.js';
import { Attribution } from '../explain/attribution.js';
import { ExplainContext, targetScores } from '../explain/base.js';
import { splitSampleShape } from '../explain/spatial.js';
import type { ModelLike } from '../explain/types.js';
import { Rng } from '../util/random.js';
import type { AttributionInput, Labels, MaskInput, MetricDef, MetricOptions, TensorInput } from './types.js';

/** Converts inputs to a float32 tensor; `owned` says whether the caller must dispose it. */
export function toInputTensor(x: TensorInput, what = 'x'): { tensor: tf.Tensor; owned: boolean } {
  if (x instanceof tf.Tensor) return { tensor: x, owned: false };
  if (x && x.data instanceof Float32Array && Array.isArray(x.shape)) {
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (size !== x.data.length) throw new InvalidInputError(what, `${x.data.length} values for shape [${x.shape}]`);
    return { tensor: tf.tensor(x.data, x.shape, 'float32'), owned: true };
  }
  throw new InvalidInputError(what, 'must be a tf.Tensor or { data: Float32Array, shape }');
}

/** Values and shape of an attribution-like input (shape undefined for bare arrays). */
function valuesAndShape(a: AttributionInput): { values: ArrayLike<number>; shape?: number[] } {
  if (a instanceof tf.Tensor) return { values: a.dataSync() as Float32Array, shape: a.shape };
  if (a instanceof Attribution) return { values: a.values, shape: a.shape };
  if (a instanceof Float32Array) return { values: a };
  if (a && typeof a === 'object' && 'values' in a && Array.isArray(a.shape)) return { values: a.values, shape: a.shape };
  throw new InvalidInputError('attribution', 'must be a tensor, an Attribution, a Float32Array or { values, shape }');
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * One relevance per spatial position, [N * positions]: an attribution of the input's shape has
 * its channels summed (sums, hence completeness, are kept); one of shape [N, ...spatial] is used
 * as is. Throws InvalidInputError on other shapes and on NaN/Inf.
 */
export function positionRelevance(a: AttributionInput, xShape: number[], what = 'attribution'): Float32Array {
  const { values, shape } = valuesAndShape(a);
  const n = xShape[0];
  const { spatial, channels } = splitSampleShape(xShape.slice(1));
  const positions = spatial.reduce((p, q) => p * q, 1);
  const full = shape ? same(shape, xShape) : values.length === n * positions * channels;
  const reduced = shape ? same(shape, [n, ...spatial]) : values.length === n * positions;
  if (!full && !reduced) {
    const got = shape ? `shape [${shape}]` : `${values.length} values`;
    throw new InvalidInputError(what, `${got} fits neither the input [${xShape}] nor [${[n, ...spatial]}]`);
  }
  const out = new Float32Array(n * positions);
  if (reduced) out.set(values);
  else for (let p = 0; p < out.length; p++) for (let c = 0; c < channels; c++) out[p] += values[p * channels + c];
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new InvalidInputError(what, `contains NaN or Inf (at position ${i})`);
  }
  return out;
}

/** Binary mask per position, [N * positions], from any accepted mask form (see `MaskInput`). */
export function positionMask(m: MaskInput, xShape: number[]): Uint8Array {
  let values: ArrayLike<number>;
  if (m instanceof tf.Tensor) values = m.dataSync();
  else if (m && typeof m === 'object' && 'relevance' in m) values = m.relevance;
  else values = m as ArrayLike<number>;
  if (!values || typeof values.length !== 'number') throw new InvalidInputError('mask', 'must be an array, a tensor or { relevance, shape }');
  const n = xShape[0];
  const { spatial, channels } = splitSampleShape(xShape.slice(1));
  const positions = spatial.reduce((p, q) => p * q, 1);
  const out = new Uint8Array(n * positions);
  const len = values.length;
  const perSample = len === n * positions ? 1 : len === positions ? 0 : len === n * positions * channels ? channels : len === positions * channels ? -channels : NaN;
  if (Number.isNaN(perSample)) {
    throw new InvalidInputError('mask', `${len} values fit neither [${[n, ...spatial]}], [${spatial}] nor those with ${channels} channels`);
  }
  const c = Math.abs(perSample) || 1;
  for (let i = 0; i < out.length; i++) {
    const src = perSample > 0 ? i : i % positions;
    for (let k = 0; k < c; k++) {
      const v = values[src * c + k];
      if (!Number.isFinite(v)) throw new InvalidInputError('mask', 'contains NaN or Inf');
      if (v !== 0) out[i] = 1;
    }
  }
  return out;
}

/** Class indices from labels (undefined: resolved to the predicted class by the context). */
function checkLabels(y: Labels, n: number): void {
  if (y === undefined || typeof y === 'number') return;
  if (typeof y !== 'object' || typeof y.length !== 'number') throw new InvalidInputError('y', 'must be a class index, one per sample, or undefined');
  if (y.length !== n) throw new InvalidInputError('y', `${y.length} labels for ${n} samples`);
}

/** Everything a metric needs while it runs: inputs, relevance per position, mask, scores, batching, progress. */
export class EvalContext extends ExplainContext {
  /** Spatial shape of one sample and channels per position. */
  readonly spatial: number[];
  readonly channels: number;
  /** Positions per sample (spatial size). */
  readonly positions: number;
  /** Relevance per position, [N * positions]. */
  readonly relevance: Float32Array;
  /** Ground-truth mask per position, [N * positions] (when given). */
  readonly mask?: Uint8Array;
  /** Input values, flat. */
  readonly xData: Float32Array;
  /** Seeded random source of the run. */
  readonly rng: Rng;
  /** Forward passes made so far (one per chunk of rows). */
  forwardCalls = 0;
  /** What a row scores: the target output, or 1/0 whether the model still predicts the class (ROAD). */
  scoreKind: 'target' | 'correct' = 'target';
  private passDone = 0;

  constructor(
    readonly def: MetricDef<never>,
    model: ModelLike | null,
    x: tf.Tensor,
    attribution: AttributionInput,
    readonly metricOptions: MetricOptions,
  ) {
    super(def.name, model as ModelLike, x, { internalBatchSize: metricOptions.internalBatchSize, onProgress: metricOptions.onProgress });
    const s = splitSampleShape(this.sampleShape);
    this.spatial = s.spatial;
    this.channels = s.channels;
    this.positions = s.spatial.reduce((a, b) => a * b, 1);
    this.relevance = positionRelevance(attribution, x.shape);
    if (metricOptions.mask !== undefined) this.mask = positionMask(metricOptions.mask, x.shape);
    this.xData = x.dataSync() as Float32Array;
    this.rng = new Rng(metricOptions.seed ?? 0);
  }

  /** The model under test (InvalidInputError when none was given). */
  get modelLike(): ModelLike {
    if (!this.model) throw new InvalidInputError('model', `${this.method} needs a model`);
    return this.model;
  }

  /** Resolves the explained classes from labels (default: the predicted class) and the base scores. */
  resolveLabels(y: Labels): void {
    checkLabels(y, this.n);
    this.resolveTarget(y);
    if (this.metricOptions.softmax) this.baseScores = this.scoreRows(this.input, this.allSamples());
  }

  /** Class explained per sample. */
  get classes(): Int32Array {
    if (this.target?.kind !== 'class') throw new Error('evaluate: labels not resolved');
    return this.target.classes;
  }

  /** 0..N-1. */
  allSamples(): Int32Array {
    return new Int32Array(this.n).map((_, i) => i);
  }

  override forward(x: tf.Tensor): tf.Tensor {
    this.forwardCalls++;
    return super.forward(x);
  }

  /** Score per row: the class output (its softmax probability with `softmax: true`), or 1/0 correctness (`scoreKind`). */
  override scores(rows: tf.Tensor, sampleOfRow: Int32Array): tf.Tensor {
    const out = this.forward(rows);
    if (this.scoreKind === 'correct') {
      const want = tf.tensor1d(Int32Array.from(sampleOfRow, (s) => this.classes[s]), 'int32');
      return tf.cast(tf.equal(tf.argMax(out, 1), want), 'float32');
    }
    return targetScores(this.metricOptions.softmax ? tf.softmax(out) : out, this.target, sampleOfRow);
  }

  /** Target scores of any number of rows, chunked (one forward per chunk), as numbers. */
  scoreRows(rows: tf.Tensor, sampleOfRow: Int32Array): Float32Array {
    const out = new Float32Array(rows.shape[0]);
    for (let s = 0; s < out.length; s += this.batchSize) {
      const e = Math.min(out.length, s + this.batchSize);
      out.set(tidyData(() => this.scores(tf.slice(rows, s, e - s), sampleOfRow.subarray(s, e)).dataSync() as Float32Array), s);
    }
    return out;
  }

  /** Full model outputs of rows, chunked: values [rows * K] and K. */
  outputRows(rows: tf.Tensor): { values: Float32Array; k: number } {
    const parts: Float32Array[] = [];
    let k = 0;
    for (let s = 0; s < rows.shape[0]; s += this.batchSize) {
      const e = Math.min(rows.shape[0], s + this.batchSize);
      parts.push(tidyData(() => {
        const o = this.forward(tf.slice(rows, s, e - s));
        k = o.shape[1] ?? 1;
        return o.dataSync() as Float32Array;
      }));
    }
    const values = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let off = 0;
    for (const p of parts) (values.set(p, off), (off += p.length));
    return { values, k };
  }

  /** Relevance of sample i (a view). */
  relevanceOf(i: number): Float32Array {
    return this.relevance.subarray(i * this.positions, (i + 1) * this.positions);
  }

  /** Input values of sample i (a view, [sample size]). */
  inputOf(i: number): Float32Array {
    return this.xData.subarray(i * this.sampleSize, (i + 1) * this.sampleSize);
  }

  /** Mask of sample i (a view); InvalidInputError when no mask was given. */
  maskOf(i: number): Uint8Array {
    if (!this.mask) throw new InvalidInputError('mask', `${this.method} needs a ground-truth mask (options.mask)`);
    return this.mask.subarray(i * this.positions, (i + 1) * this.positions);
  }

  /**
   * Position masks [rows * positions] (1 = replaced) as a tensor: [rows, ...sample] without a
   * channel axis, else [rows, ...spatial, 1], which the perturbation engine shares over channels.
   */
  expandPositions(pos: Float32Array, rows: number): tf.Tensor {
    if (this.channels === 1 || this.sampleShape.length === this.spatial.length) return tf.tensor(pos, [rows, ...this.sampleShape]);
    return tf.tensor(pos, [rows, ...this.spatial, 1]);
  }

  /** Progress over samples: rows of a pass are ordered by sample, so rows done map to samples done. */
  override progress(add: number, total: number): void {
    this.passDone += add;
    const done = Math.min(this.n, Math.floor((this.passDone * this.n) / total));
    this.metricOptions.onProgress?.({ task: `evaluate:${this.method}`, done, total: this.n });
    if (this.passDone >= total) this.passDone = 0;
  }

  /** Runs async `fn(start, end)` over [0, total) in chunks of `batchSize` rows (ordered by sample), reporting progress. */
  async forChunks(total: number, fn: (start: number, end: number) => Promise<void>): Promise<void> {
    for (let s = 0; s < total; s += this.batchSize) {
      const e = Math.min(total, s + this.batchSize);
      await fn(s, e);
      this.progress(e - s, total);
    }
  }

  /**
   * Explains rows with the user's explain function under `model` (default: the model under
   * test) and returns relevance per position [rows * positions]; a returned tensor is disposed.
   */
  async explainRows(rows: tf.Tensor, targets: Int32Array, model: ModelLike = this.modelLike): Promise<Float32Array> {
    const fn = this.metricOptions.explain;
    if (typeof fn !== 'function') throw new InvalidInputError('explain', `${this.method} needs an explain function (x, target, model) => attribution`);
    const result = await fn(rows, targets, model);
    try {
      return positionRelevance(result, rows.shape, 'explain result');
    } finally {
      if (result instanceof tf.Tensor && result !== rows) result.dispose();
    }
  }

  /** Runs `score(i)` for every sample, reporting progress and yielding between chunks of samples. */
  async perSample(score: (i: number) => number | Promise<number>): Promise<Float32Array> {
    const out = new Float32Array(this.n);
    for (let s = 0; s < this.n; s += this.batchSize) {
      const e = Math.min(this.n, s + this.batchSize);
      for (let i = s; i < e; i++) out[i] = await score(i);
      this.progress(e - s, this.n);
      await Promise.resolve();
    }
    return out;
  }
}

/** Checks a metric's declared needs and ranks against what was given. */
function checkNeeds(def: MetricDef<never>, model: ModelLike | null | undefined, o: MetricOptions, rank: number): void {
  for (const need of def.needs) {
    if (need === 'mask' && o.mask === undefined) throw new InvalidInputError('mask', `${def.name} needs a ground-truth mask (options.mask)`);
    if (need === 'explain' && typeof o.explain !== 'function') {
      throw new InvalidInputError('explain', `${def.name} needs an explain function (x, target, model) => attribution`);
    }
    if ((need === 'model' || need === 'layersModel') && !(model instanceof tfl.LayersModel) && typeof model !== 'function') {
      throw new InvalidInputError('model', `${def.name} needs a model (tfjs LayersModel or a function of a tensor)`);
    }
    if (need === 'layersModel' && !(model instanceof tfl.LayersModel)) {
      throw new UnsupportedError('model', `${def.name} randomises layer weights, so it needs a tfjs LayersModel`);
    }
  }
  if (!def.ranks.includes(rank as 1 | 2 | 3)) throw new UnsupportedError('x', `${def.name} supports spatial ranks ${def.ranks.join(', ')}, got ${rank}`);
}

/** Runs a metric on a batch: validates, resolves labels when the model is needed, returns one score per sample. */
export async function runMetric<O extends MetricOptions>(
  def: MetricDef<O>,
  model: ModelLike | null | undefined,
  x: TensorInput,
  y: Labels,
  attribution: AttributionInput,
  options: O,
): Promise<Float32Array> {
  const o = (options ?? {}) as O;
  const { tensor, owned } = toInputTensor(x);
  try {
    const ctx = new EvalContext(def as MetricDef<never>, model ?? null, tensor, attribution, o);
    checkNeeds(def as MetricDef<never>, model, o, ctx.rank);
    if (def.needs.includes('model') || def.needs.includes('layersModel')) ctx.resolveLabels(y);
    return await def.run(ctx, o);
  } finally {
    if (owned) tensor.dispose();
  }
}
