/**
 * Ablation-CAM (Desai & Ramaswamy): a channel's weight is the relative drop of the target
 * score when that channel of the layer activation is zeroed. Ablated activations run through
 * the model's tail in chunks of `internalBatchSize`, one pass per chunk.
 */
import { tf } from '../backend/tf.js';
import { targetScores } from './base.js';
import { CamExplainer, weightedSum, type CamInputs } from './cam-base.js';

/** Ablation-CAM: weights (y - y_k) / y. */
export class AblationCAM extends CamExplainer {
  readonly name = 'AblationCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const { ctx, activation, split, values } = c;
    const n = activation.shape[0], k = activation.shape[activation.shape.length - 1];
    const weights = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const y = ctx.baseScores[c.samples[i]];
      for (let s = 0; s < k; s += ctx.batchSize) {
        const e = Math.min(k, s + ctx.batchSize);
        const scores = tf.tidy(() => {
          const keep = new Float32Array((e - s) * k).fill(1);
          for (let r = 0; r < e - s; r++) keep[r * k + s + r] = 0;
          const shape = [e - s, ...new Array(activation.shape.length - 2).fill(1), k];
          const rows = tf.mul(tf.slice(activation, i, 1), tf.tensor(keep, shape));
          const out = split.tail(rows, values, new Int32Array(e - s).fill(i));
          return targetScores(out, ctx.target, new Int32Array(e - s).fill(c.samples[i])).dataSync();
        });
        for (let r = 0; r < e - s; r++) weights[i * k + s + r] = (y - scores[r]) / (y === 0 ? 1e-7 : y);
      }
    }
    return weightedSum(activation, tf.tensor2d(weights, [n, k]));
  }
}
