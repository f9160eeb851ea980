/**
 * The optimisation loop shared by the trained infill models (ECG and image): each step draws
 * a fresh batch of examples with random holes, takes one Adam step on the hole loss inside
 * tf.tidy (no tensors survive a step), reports progress and yields to the event loop now and
 * then so long training does not starve other work.
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';

/** One training run of a masked infill network. */
export interface MaskedTrainingLoop<B> {
  /** Progress task name, e.g. `train:ecg-infill`. */
  task: string;
  steps: number;
  learningRate: number;
  /**
   * Largest global L2 norm of the gradients (larger ones are scaled down to it; default: no
   * clipping). Why: a batch whose holes cover a QRS complex has a loss tens of times the typical
   * one, and an unclipped Adam step on it throws the network off (loss 1 -> 20 -> 0.3).
   */
  clipNorm?: number;
  /** The weights to optimise. */
  variables: tf.Variable[];
  /** Draws the next batch (plain arrays; called once per step, in order, so seeded samplers stay deterministic). */
  sample: () => B;
  /** The scalar loss of a batch (called inside the optimiser's tidy scope). */
  loss: (batch: B) => tf.Scalar;
  onProgress?: ProgressCallback;
}

/**
 * The seed handed to a tfjs initializer for `seed`. Why: tfjs takes a seed of 0 as "no seed" and
 * draws from Math.random, so layer 0 of a model built with seed 0 got different weights on every
 * run; 0 becomes a fixed nonzero seed, every other value is kept.
 */
export function initSeed(seed: number): number {
  return seed === 0 ? 0x5eed : seed;
}

/** Runs the loop; returns the loss of every step. */
export async function runMaskedTraining<B>(loop: MaskedTrainingLoop<B>): Promise<number[]> {
  if (loop.clipNorm !== undefined && !(loop.clipNorm > 0 && Number.isFinite(loop.clipNorm))) throw new InvalidInputError('clipNorm', `must be a positive number, got ${loop.clipNorm}`);
  const opt = tf.train.adam(loop.learningRate);
  const losses: number[] = [];
  try {
    for (let step = 0; step < loop.steps; step++) {
      const batch = loop.sample();
      const cost = tf.tidy(() => (loop.clipNorm === undefined ? opt.minimize(() => loop.loss(batch), true, loop.variables)! : clippedStep(opt, () => loop.loss(batch), loop.variables, loop.clipNorm)));
      losses.push(cost.dataSync()[0]);
      cost.dispose();
      loop.onProgress?.({ task: loop.task, done: step + 1, total: loop.steps, info: { loss: losses[step] } });
      if (step % 10 === 9) await Promise.resolve();
    }
  } finally {
    opt.dispose();
  }
  return losses;
}

/** One optimiser step with the gradients clipped to a global L2 norm of `clipNorm`; returns the loss. */
function clippedStep(opt: tf.Optimizer, loss: () => tf.Scalar, variables: tf.Variable[], clipNorm: number): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, variables);
  opt.applyGradients(clipByGlobalNorm(grads, clipNorm));
  return value;
}

/** Gradients scaled by min(1, clipNorm / global L2 norm), as torch's clip_grad_norm_ (the direction is kept). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  if (names.length === 0) return grads;
  const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
  const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
  return Object.fromEntries(names.map((k) => [k, tf.mul(grads[k], scale)]));
}

/** Standardises rows [rows, K] by the mean/std of their observed samples; returns the stats too. */
export function standardizeObserved(x: tf.Tensor, keep: tf.Tensor): { z: tf.Tensor; mean: tf.Tensor; std: tf.Tensor } {
  const count = tf.maximum(tf.sum(keep, 1, true), 1);
  const mean = tf.div(tf.sum(tf.mul(x, keep), 1, true), count);
  const d = tf.mul(tf.sub(x, mean), keep);
  const std = tf.add(tf.sqrt(tf.div(tf.sum(tf.square(d), 1, true), count)), 1e-3);
  return { z: tf.mul(tf.div(tf.sub(x, mean), std), keep), mean, std };
}
