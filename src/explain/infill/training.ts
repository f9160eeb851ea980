/**
 * The optimisation loop shared by the trained infill models (ECG and image): each step draws
 * a fresh batch of examples with random holes, takes one Adam step on the hole loss inside
 * tf.tidy (no tensors survive a step), reports progress and yields to the event loop now and
 * then so long training does not starve other work.
 */
import { tf } from '../../backend/tf.js';
import type { ProgressCallback } from '../../progress.js';

/** One training run of a masked infill network. */
export interface MaskedTrainingLoop<B> {
  /** Progress task name, e.g. `train:ecg-infill`. */
  task: string;
  steps: number;
  learningRate: number;
  /** The weights to optimise. */
  variables: tf.Variable[];
  /** Draws the next batch (plain arrays; called once per step, in order, so seeded samplers stay deterministic). */
  sample: () => B;
  /** The scalar loss of a batch (called inside the optimiser's tidy scope). */
  loss: (batch: B) => tf.Scalar;
  onProgress?: ProgressCallback;
}

/** Runs the loop; returns the loss of every step. */
export async function runMaskedTraining<B>(loop: MaskedTrainingLoop<B>): Promise<number[]> {
  const opt = tf.train.adam(loop.learningRate);
  const losses: number[] = [];
  try {
    for (let step = 0; step < loop.steps; step++) {
      const batch = loop.sample();
      const cost = tf.tidy(() => opt.minimize(() => loop.loss(batch), true, loop.variables)!);
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

/** Standardises rows [rows, K] by the mean/std of their observed samples; returns the stats too. */
export function standardizeObserved(x: tf.Tensor, keep: tf.Tensor): { z: tf.Tensor; mean: tf.Tensor; std: tf.Tensor } {
  const count = tf.maximum(tf.sum(keep, 1, true), 1);
  const mean = tf.div(tf.sum(tf.mul(x, keep), 1, true), count);
  const d = tf.mul(tf.sub(x, mean), keep);
  const std = tf.add(tf.sqrt(tf.div(tf.sum(tf.square(d), 1, true), count)), 1e-3);
  return { z: tf.mul(tf.div(tf.sub(x, mean), std), keep), mean, std };
}
