/**
 * Shared types of the explainers: what can be explained (a layers model or any function of
 * tensors), which output is explained (the target), and the options every method accepts.
 */
import type { tf, tfl } from '../backend/tf.js';
import type { ProgressCallback } from '../progress.js';

/** A tfjs layers model, or any function from a batch of inputs to a batch of outputs. */
export type ModelLike = tfl.LayersModel | ((x: tf.Tensor) => tf.Tensor);

/**
 * What is explained: one class index for every sample, one index per sample, or a function
 * mapping the model output of a batch of rows ([rows, ...]) to one score per row ([rows]).
 * A function must act row by row (row i of its result depends only on row i of the output),
 * as pytorch-grad-cam's target objects do (regression output, segmentation region...).
 */
export type Target = number | ArrayLike<number> | ((output: tf.Tensor) => tf.Tensor);

/** Options every explainer accepts. */
export interface CommonOptions {
  /** Output to explain; default: the class the model predicts for each sample. */
  target?: Target;
  /** Rows (perturbed copies, interpolation steps, noisy samples) per forward pass; bounds memory. Default 32. */
  internalBatchSize?: number;
  /** Progress events (`task` = `explain:<Method>`). */
  onProgress?: ProgressCallback;
}

/** Sign filter applied to attribution values. */
export type SignMode = 'all' | 'positive' | 'negative' | 'absolute';
