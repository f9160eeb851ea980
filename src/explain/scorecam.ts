/**
 * Score-CAM (Wang et al.): each channel, upsampled and min-max normalised, masks the input;
 * the (softmax) target score of the masked input is the channel's weight. Masked inputs
 * run in chunks of `internalBatchSize`, one forward per chunk.
 */
import { tf, tidyData } from '../backend/tf.js';
import { targetScores } from './base.js';
import { CamExplainer, weightedSum, type CamInputs } from './cam-base.js';
import { upsample } from './spatial.js';

/** Score-CAM (softmax over class outputs, as pytorch-grad-cam; raw score for target functions). */
export class ScoreCAM extends CamExplainer {
  readonly name = 'ScoreCAM';
  /** Its first forward passes are of masked inputs. */
  protected override readonly predictsFromOwnForward: boolean = false;
  protected cam(c: CamInputs): tf.Tensor {
    const { ctx, activation } = c;
    const n = activation.shape[0], k = activation.shape[activation.shape.length - 1];
    const spatial = ctx.input.shape.slice(1, -1);
    // Channels first, each upsampled as its own single-channel map: [n * K, ...spatial, 1].
    const grid = activation.shape.slice(1, -1);
    const perm = [0, activation.shape.length - 1, ...grid.map((_, i) => i + 1)];
    const low = tf.reshape(tf.transpose(activation, perm), [n * k, ...grid, 1]);
    const up = upsample(low, spatial);
    const axes = spatial.map((_, i) => i + 1);
    const lo = tf.min(up, axes, true), hi = tf.max(up, axes, true);
    const masks = tf.div(tf.sub(up, lo), tf.add(tf.sub(hi, lo), 1e-7));
    const byChannel = tf.reshape(masks, [n, k, ...spatial, 1]); // [n, K, ...spatial, 1]
    const weights = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < k; s += ctx.batchSize) {
        const e = Math.min(k, s + ctx.batchSize);
        const w = tidyData(() => {
          const m = tf.slice(tf.squeeze(tf.slice(byChannel, i, 1), [0]), s, e - s);
          const rows = tf.mul(tf.slice(c.x, i, 1), m);
          let out = ctx.forward(rows);
          if (ctx.target.kind === 'class') out = tf.softmax(out);
          return targetScores(out, ctx.target, new Int32Array(e - s).fill(c.samples[i])).dataSync() as Float32Array;
        });
        weights.set(w, i * k + s);
      }
    }
    return weightedSum(activation, tf.tensor2d(weights, [n, k]));
  }
}
