/**
 * Shared types of the explanation-quality metrics: what a metric receives (model, inputs,
 * labels, attribution, ground-truth mask, explain function), what it declares it needs (like
 * Quantus' `data_applicability`), and the options every metric accepts.
 */
import type { tf } from '../backend/tf.js';
import type { SpatialRank } from '../data/types.js';
import type { ProgressCallback } from '../progress.js';
import type { Attribution } from '../explain/attribution.js';
import type { ModelLike } from '../explain/types.js';
import type { EvalContext } from './base.js';

/** Inputs: a float32 tensor, or flat values with their shape. Channels last, batch first. */
export type TensorInput = tf.Tensor | { data: Float32Array; shape: number[] };

/**
 * An attribution of the inputs: a tensor, an explainer's `Attribution`, flat values (shape
 * inferred from the length) or values with a shape. Either the input's shape [N, ...spatial, C]
 * (channels are summed) or [N, ...spatial] (the convention: one relevance per position).
 */
export type AttributionInput = tf.Tensor | Attribution | Float32Array | { values: ArrayLike<number>; shape: number[] };

/**
 * Ground-truth relevance mask (nonzero = relevant): flat values for all samples [N, ...spatial],
 * one sample's [...spatial] shared by all, either with a channel axis (any channel counts),
 * a tensor of those shapes, or a `RelevanceTruth`-like `{ relevance, shape }`.
 */
export type MaskInput = tf.Tensor | ArrayLike<number> | { relevance: ArrayLike<number>; shape: number[] };

/** Class explained per sample: one index for all, one per sample, or undefined (the predicted class). */
export type Labels = number | ArrayLike<number> | undefined;

/**
 * Explains a batch: attribution of `x` ([rows, ...]) for class `target[r]` of each row, under
 * `model` (the metric passes the model under test, or a randomised / shifted copy of it).
 */
export type ExplainFn = (x: tf.Tensor, target: Int32Array, model: ModelLike) => Promise<AttributionInput> | AttributionInput;

/** Options every metric accepts. */
export interface MetricOptions {
  /** Ground-truth mask (localisation metrics). */
  mask?: MaskInput;
  /** Explain function (robustness, randomisation and axiomatic metrics). */
  explain?: ExplainFn;
  /** Rows (perturbed copies) per forward pass; bounds memory. Default 32. */
  internalBatchSize?: number;
  /** Progress over samples (`task` = `evaluate:<Metric>`). */
  onProgress?: ProgressCallback;
  /** Seed of every random draw (subsets, noise). Default 0. */
  seed?: number;
  /** Score the softmax probability of the class instead of the raw model output. Default false. */
  softmax?: boolean;
}

/** What a metric needs besides an attribution. */
export type MetricNeed = 'model' | 'mask' | 'explain' | 'layersModel';

/** Metric families, as in Quantus. */
export type MetricCategory = 'faithfulness' | 'robustness' | 'localisation' | 'complexity' | 'randomisation' | 'axiomatic';

/** A metric: its declaration and its rule (one score per sample). */
export interface MetricDef<O extends MetricOptions = MetricOptions> {
  /** Name as in Quantus. */
  name: string;
  category: MetricCategory;
  /** What must be given (checked before running, with a clear InvalidInputError). */
  needs: MetricNeed[];
  /** Spatial ranks supported (1 = signal, 2 = image, 3 = volume). */
  ranks: SpatialRank[];
  /** Whether a higher score means a better explanation. */
  higherIsBetter: boolean;
  /** The rule: one score per sample. */
  run(ctx: EvalContext, options: O): Promise<Float32Array>;
}

/** The one call signature's arguments: `evaluate(metric, { model, x, y, attribution, mask, ... })`. */
export interface EvaluateArgs extends MetricOptions {
  model?: ModelLike | null;
  x: TensorInput;
  y?: Labels;
  attribution: AttributionInput;
  [option: string]: unknown;
}
