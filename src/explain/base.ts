/**
 * The `Explainer` base: validates model, input and target, runs rows (perturbed copies,
 * interpolation steps, noisy samples) through the model in chunks of `internalBatchSize`,
 * reports progress and keeps every tensor inside tf.tidy. A method file holds only its rule.
 */
import { tf, tfl, tidyData } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { SpatialRank } from '../data/types.js';
import { Attribution, type AttributionInit } from './attribution.js';
import type { CommonOptions, ModelLike, Target } from './types.js';

/** Spatial rank of an input of shape [N, ...]: [N, F] and [N, T, C] are 1, images 2, volumes 3. */
export function spatialRankOf(shape: number[]): SpatialRank {
  if (shape.length < 2 || shape.length > 5) {
    throw new InvalidInputError('input', `expected [N, F], [N, T, C], [N, H, W, C] or [N, D, H, W, C], got shape [${shape}]`);
  }
  return Math.max(1, shape.length - 2) as SpatialRank;
}

/** Calls a model (layers model or function) on a batch, in inference mode. */
export function applyModel(model: ModelLike, x: tf.Tensor): tf.Tensor {
  if (model instanceof tfl.LayersModel) return model.apply(x, { training: false }) as tf.Tensor;
  return model(x);
}

/**
 * Whether every element is finite: sum(x * 0) is 0, or NaN when any element is NaN or
 * infinite. Two fast elementwise/reduce kernels and one scalar read on every backend.
 */
export function allFinite(x: tf.Tensor): boolean {
  return tidyData(() => Number.isFinite(tf.sum(tf.mul(tf.cast(x, 'float32'), 0)).dataSync()[0]));
}

/** Checks the input against the model's declared input shape; throws InvalidInputError. */
export function validateInput(model: ModelLike, input: tf.Tensor): void {
  if (!(input instanceof tf.Tensor)) throw new InvalidInputError('input', 'must be a tf.Tensor');
  if (input.dtype !== 'float32') throw new InvalidInputError('input', `must be float32, got ${input.dtype}`);
  spatialRankOf(input.shape);
  if (input.shape[0] < 1) throw new InvalidInputError('input', 'batch is empty');
  if (model instanceof tfl.LayersModel) {
    const want = model.inputs[0].shape;
    const ok = want.length === input.shape.length && want.every((d, i) => d === null || d === input.shape[i]);
    if (!ok) throw new InvalidInputError('input', `model '${model.name}' expects shape [${want.map((d) => d ?? 'N')}], got [${input.shape}]`);
  }
  if (!allFinite(input)) throw new InvalidInputError('input', 'contains NaN or Inf');
}

/** Concatenates per-chunk results into one array. */
export function concatChunks(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((off, p) => (out.set(p, off), off + p.length), 0);
  return out;
}

/**
 * A target resolved against the model output: a class per sample, or a row-wise score
 * function. `pending[s] = 1` marks a predicted class not known yet: the first output row of
 * sample s that `targetScores` sees (an output of the unperturbed sample, by contract of the
 * methods that defer) supplies its argmax.
 */
export type ResolvedTarget =
  | { kind: 'class'; classes: Int32Array; pending?: Uint8Array }
  | { kind: 'fn'; fn: (output: tf.Tensor) => tf.Tensor };

/** Fills pending predicted classes from the argmax of the first row of each pending sample. */
function resolvePending(output: tf.Tensor, target: { classes: Int32Array; pending?: Uint8Array }, sampleOfRow: Int32Array): void {
  const pending = target.pending!;
  if (!sampleOfRow.some((s) => pending[s])) return;
  if (output.shape.length !== 2) {
    throw new InvalidInputError('target', `a class index needs a [N, K] model output, got [${output.shape}]; pass a target function`);
  }
  const best = tidyData(() => tf.argMax(output, 1).dataSync() as Int32Array);
  sampleOfRow.forEach((s, r) => {
    if (pending[s]) {
      target.classes[s] = best[r];
      pending[s] = 0;
    }
  });
  if (!pending.some((p) => p)) delete target.pending;
}

/** Score per row of a model output: the target class logit, or the target function. */
export function targetScores(output: tf.Tensor, target: ResolvedTarget, sampleOfRow: Int32Array): tf.Tensor {
  if (target.kind === 'fn') return target.fn(output);
  if (target.pending) resolvePending(output, target, sampleOfRow);
  const k = output.shape[1] as number;
  const mask = new Float32Array(sampleOfRow.length * k);
  sampleOfRow.forEach((s, r) => (mask[r * k + target.classes[s]] = 1));
  return tf.sum(tf.mul(output, tf.tensor2d(mask, [sampleOfRow.length, k])), 1);
}

/** Class indices of a target given as one index or one per sample, checked against `k` classes. */
function checkedClasses(target: number | ArrayLike<number>, n: number, k: number): Int32Array {
  let classes: Int32Array;
  if (typeof target === 'number') classes = new Int32Array(n).fill(target);
  else if (typeof target === 'object' && target !== null && typeof target.length === 'number') {
    if (target.length !== n) throw new InvalidInputError('target', `${target.length} indices for ${n} samples`);
    classes = Int32Array.from(target);
  } else throw new InvalidInputError('target', 'must be a class index, an index per sample or a function');
  const src = typeof target === 'number' ? [target] : Array.from(target);
  for (const c of src) {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new InvalidInputError('target', `class index ${c} outside [0, ${k}) for a model with ${k} outputs`);
  }
  return classes;
}

/**
 * Everything a method needs while it runs on one input: the forward function, the resolved
 * target, the score of the unperturbed input, chunking and progress.
 */
export class ExplainContext {
  readonly n: number;
  readonly rank: SpatialRank;
  readonly batchSize: number;
  /** Shape of one sample (input shape without the batch axis). */
  readonly sampleShape: number[];
  readonly sampleSize: number;
  target!: ResolvedTarget;
  private base?: Float32Array;
  private progressDone = 0;

  /**
   * Target score of each unperturbed sample. Computed on first use when the target was given
   * as class indices of a layers model, so methods that never read it (gradients, CAMs) do
   * not pay a forward pass for it.
   */
  get baseScores(): Float32Array {
    if (!this.base) this.base = this.outputScores();
    return this.base;
  }

  set baseScores(scores: Float32Array) {
    this.base = scores;
  }

  constructor(
    readonly method: string,
    readonly model: ModelLike,
    readonly input: tf.Tensor,
    readonly options: CommonOptions,
  ) {
    validateInput(model, input);
    this.n = input.shape[0];
    this.rank = spatialRankOf(input.shape);
    this.sampleShape = input.shape.slice(1);
    this.sampleSize = this.sampleShape.reduce((a, b) => a * b, 1);
    const bs = options.internalBatchSize ?? 32;
    if (!Number.isInteger(bs) || bs < 1) throw new InvalidInputError('internalBatchSize', `must be a positive integer, got ${bs}`);
    this.batchSize = bs;
  }

  /** Model output for a batch of rows. */
  forward(x: tf.Tensor): tf.Tensor {
    return applyModel(this.model, x);
  }

  /** Target score per row ([rows]); `sampleOfRow[r]` is the sample row r belongs to. */
  scores(rows: tf.Tensor, sampleOfRow: Int32Array): tf.Tensor {
    return targetScores(this.forward(rows), this.target, sampleOfRow);
  }

  /**
   * Gradient of each row's target score with respect to the row (call inside tf.tidy).
   * `forward` replaces the model's forward pass (modified-gradient methods).
   */
  gradients(rows: tf.Tensor, sampleOfRow: Int32Array, forward: (x: tf.Tensor) => tf.Tensor = (x) => this.forward(x)): tf.Tensor {
    return tf.grad((x: tf.Tensor) => tf.sum(targetScores(forward(x), this.target, sampleOfRow)))(rows);
  }

  /** Target scores of rows as numbers (one forward pass; rows are not disposed). */
  evaluate(rows: tf.Tensor, sampleOfRow: Int32Array): Float32Array {
    return tidyData(() => this.scores(rows, sampleOfRow).dataSync() as Float32Array).slice();
  }

  /** Model outputs of every unperturbed sample, one forward per chunk (caller disposes). */
  private outputsOfInput(): tf.Tensor {
    const outputs: tf.Tensor[] = [];
    for (let s = 0; s < this.n; s += this.batchSize) {
      outputs.push(tf.tidy(() => this.forward(tf.slice(this.input, s, Math.min(this.batchSize, this.n - s)))));
    }
    if (outputs.length === 1) return outputs[0];
    const out = tf.concat(outputs);
    tf.dispose(outputs);
    return out;
  }

  /** Target scores of the unperturbed samples (class targets only). */
  private outputScores(): Float32Array {
    const all = new Int32Array(this.n).map((_, i) => i);
    const out = this.outputsOfInput();
    try {
      return tidyData(() => targetScores(out, this.target, all).dataSync() as Float32Array).slice();
    } finally {
      out.dispose();
    }
  }

  /** Number of classes of a layers model with a declared [N, K] output, without running it. */
  private declaredClasses(): number | undefined {
    if (!(this.model instanceof tfl.LayersModel) || this.model.outputs.length !== 1) return undefined;
    const shape = this.model.outputs[0].shape;
    return shape.length === 2 && typeof shape[1] === 'number' ? shape[1] : undefined;
  }

  /**
   * Resolves the target (default: predicted class) and the base scores. Explicit class
   * indices of a layers model need no forward pass (the base scores are then computed on
   * first use); with `deferPredicted` (a method whose first forward of each sample is of the
   * unperturbed sample), neither does the predicted class: it is read from that forward.
   * Otherwise a predicted class or a target function runs the model on the input once.
   */
  resolveTarget(target: Target | undefined, deferPredicted = false): void {
    const declared = typeof target === 'function' || (target === undefined && !deferPredicted) ? undefined : this.declaredClasses();
    if (declared !== undefined && target === undefined) {
      this.target = { kind: 'class', classes: new Int32Array(this.n), pending: new Uint8Array(this.n).fill(1) };
      this.base = undefined;
      return;
    }
    if (declared !== undefined) {
      this.target = { kind: 'class', classes: checkedClasses(target as number | ArrayLike<number>, this.n, declared) };
      this.base = undefined;
      return;
    }
    const out = this.outputsOfInput();
    try {
      if (typeof target === 'function') {
        const res = tf.tidy(() => target(out));
        const ok = res.shape.length === 1 && res.shape[0] === this.n;
        const vals = res.dataSync().slice() as Float32Array;
        res.dispose();
        if (!ok) throw new InvalidInputError('target', `a target function must return one score per row ([${this.n}]), got [${res.shape}]`);
        this.target = { kind: 'fn', fn: target };
        this.base = vals;
        return;
      }
      if (out.shape.length !== 2) {
        throw new InvalidInputError('target', `a class index needs a [N, K] model output, got [${out.shape}]; pass a target function`);
      }
      const classes = target === undefined
        ? tidyData(() => tf.argMax(out, 1).dataSync() as Int32Array).slice()
        : checkedClasses(target, this.n, out.shape[1]);
      this.target = { kind: 'class', classes };
      const all = new Int32Array(this.n).map((_, i) => i);
      this.base = tidyData(() => targetScores(out, this.target, all).dataSync() as Float32Array).slice();
    } finally {
      out.dispose();
    }
  }

  /** Reports progress: `add` units done out of `total`. */
  progress(add: number, total: number): void {
    this.progressDone += add;
    this.options.onProgress?.({ task: `explain:${this.method}`, done: this.progressDone, total });
  }

  /**
   * Runs `fn(start, end)` over [0, total) in chunks of `batchSize`, reporting progress and
   * yielding to the event loop between chunks (keeps a browser responsive).
   */
  async chunks(total: number, fn: (start: number, end: number) => void, chunk = this.batchSize): Promise<void> {
    for (let s = 0; s < total; s += chunk) {
      const e = Math.min(total, s + chunk);
      fn(s, e);
      this.progress(e - s, total);
      await Promise.resolve();
    }
  }

  /**
   * Maps each chunk of the input, `fn(x, samples)` (inside tidy; `samples` are the chunk's sample
   * indices), and concatenates the resulting values in sample order.
   */
  async mapInputChunks(fn: (x: tf.Tensor, samples: Int32Array) => tf.Tensor): Promise<Float32Array> {
    const parts: Float32Array[] = [];
    await this.chunks(this.n, (s, e) => {
      parts.push(tidyData(() => fn(tf.slice(this.input, s, e - s), new Int32Array(e - s).map((_, i) => s + i)).dataSync() as Float32Array));
    });
    return concatChunks(parts);
  }

  /** Class per sample, running the model on the input if a deferred class is still unknown. */
  resolvedClasses(): Int32Array {
    if (this.target.kind !== 'class') throw new Error('resolvedClasses: the target is a function');
    if (this.target.pending) void this.baseScores;
    return this.target.classes;
  }

  /** Builds the attribution of this run. */
  attribution(values: Float32Array, extra: Partial<AttributionInit> = {}): Attribution {
    return new Attribution({
      method: this.method,
      values,
      shape: this.input.shape,
      rank: this.rank,
      targets: this.target.kind === 'class' ? this.resolvedClasses() : undefined,
      ...extra,
    });
  }
}

/** Base of every explainer class: `new Method(model).attribute(input, options)`. */
export abstract class Explainer<O extends CommonOptions = CommonOptions> {
  /** Method name as users know it (Captum / pytorch-grad-cam). */
  abstract readonly name: string;
  /**
   * True when the method's first forward pass of each sample is of the unperturbed sample
   * and goes through `targetScores`: the predicted class is then read from it (no extra
   * forward pass, as pytorch-grad-cam does).
   */
  protected readonly predictsFromOwnForward: boolean = false;

  constructor(readonly model: ModelLike) {
    if (!(model instanceof tfl.LayersModel) && typeof model !== 'function') {
      throw new InvalidInputError('model', 'must be a tfjs LayersModel or a function of a tensor');
    }
  }

  /** Explains `input` ([N, ...]) for the target in `options`. */
  async attribute(input: tf.Tensor, options: O = {} as O): Promise<Attribution> {
    const ctx = new ExplainContext(this.name, this.model, input, options);
    ctx.resolveTarget(options.target, this.predictsFromOwnForward);
    return this.run(ctx, options);
  }

  /** The method's rule. */
  protected abstract run(ctx: ExplainContext, options: O): Promise<Attribution>;
}
