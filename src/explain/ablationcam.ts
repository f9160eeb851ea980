/**
 * Ablation-CAM (Desai & Ramaswamy): a channel's weight is the relative drop of the target
 * score when that channel of the layer activation is zeroed. Ablated activations run through
 * the model's tail only (the layers after the CAM layer), many channels per pass.
 */
import { tf, tidyData } from '../backend/tf.js';
import { targetScores } from './base.js';
import { CamExplainer, weightedSum, type CamInputs } from './cam-base.js';

/**
 * Ablated rows per tail pass: as many as take the memory of `internalBatchSize` input rows
 * (activations are usually far smaller than inputs), at least `internalBatchSize`.
 */
export function ablationChunk(batchSize: number, inputSize: number, activationSize: number): number {
  return Math.max(batchSize, Math.floor((batchSize * inputSize) / Math.max(1, activationSize)));
}

/** Ablation-CAM: weights (y - y_k) / y, with y the tail's score of the unablated activation. */
export class AblationCAM extends CamExplainer {
  readonly name = 'AblationCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const { ctx, activation, split, values } = c;
    const n = activation.shape[0], k = activation.shape[activation.shape.length - 1];
    const actSize = activation.size / n;
    const chunk = ablationChunk(ctx.batchSize, ctx.sampleSize, actSize);
    const weights = new Float32Array(n * k);
    const ones = new Array(activation.shape.length - 2).fill(1);
    for (let i = 0; i < n; i++) {
      // Row 0 is the unablated activation (y); row r >= 1 zeroes channel r - 1.
      const scores = new Float32Array(k + 1);
      for (let s = 0; s <= k; s += chunk) {
        const e = Math.min(k + 1, s + chunk);
        scores.set(tidyData(() => {
          const keep = new Float32Array((e - s) * k).fill(1);
          for (let r = s; r < e; r++) if (r > 0) keep[(r - s) * k + r - 1] = 0;
          const rows = tf.mul(tf.slice(activation, i, 1), tf.tensor(keep, [e - s, ...ones, k]));
          const out = split.tail(rows, values, new Int32Array(e - s).fill(i));
          return targetScores(out, ctx.target, new Int32Array(e - s).fill(c.samples[i])).dataSync() as Float32Array;
        }), s);
      }
      const y = scores[0];
      for (let j = 0; j < k; j++) weights[i * k + j] = (y - scores[j + 1]) / (y === 0 ? 1e-7 : y);
    }
    return weightedSum(activation, tf.tensor2d(weights, [n, k]));
  }
}
