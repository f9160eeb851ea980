/**
 * DeepLift with the rescale rule (Shrikumar et al.; Captum's DeepLift): input and baseline run
 * together as one batch [x; x0]; every elementwise activation back-propagates the multiplier
 * (g(z) - g(z0)) / (z - z0) instead of g'(z), so attribution = multipliers * (x - x0).
 * Supported exactly (summation-to-delta holds) for graphs of linear layers (Dense, Conv,
 * average pooling, BatchNorm, Flatten, Add, Concatenate...) and elementwise activations as
 * layers or as a Dense/Conv `activation`. Max pooling and other non-elementwise layers fall
 * back to their ordinary gradient, as in Captum; the returned delta shows the error.
 */
import { tf, tidyData } from '../backend/tf.js';
import type { Attribution } from './attribution.js';
import { Explainer, targetScores, type ExplainContext } from './base.js';
import { forwardWithRule, requireLayersModel, type ActivationRule } from './activation-rules.js';
import { makeBaseline, type BaselineOptions, type BaselineSpec } from './baselines.js';
import { pickRows } from './gradient-rows.js';
import type { CommonOptions } from './types.js';

/** DeepLift options. */
export interface DeepLiftOptions extends CommonOptions, BaselineOptions {
  /** Reference input. Default zero. */
  baseline?: BaselineSpec;
}

/** The rescale rule for an activation applied to [z; z0] (2n rows). */
export const rescaleRule: ActivationRule = (_name, z, original) => {
  const f = (zz: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([zz]);
    return {
      value: original(zz),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zx, zr] = tf.split(saved[0], 2, 0);
        const dz = tf.sub(zx, zr);
        // far = 1 where |dz| > 1e-6, else 0. Exact with plain arithmetic kernels (fast on every
        // backend): |dz| = relu(dz) + relu(-dz), and a - b > 0 iff a > b in IEEE arithmetic.
        const far = tf.step(tf.sub(tf.add(tf.relu(dz), tf.relu(tf.neg(dz))), 1e-6));
        const near = tf.sub(1, far);
        // The secant is only used where far = 1; shifting its denominator by `near` keeps it finite elsewhere.
        const secant = tf.div(tf.sub(original(zx), original(zr)), tf.add(dz, near));
        // Where input and reference agree, the multiplier is the derivative (central difference).
        const h = 1e-3;
        const slope = tf.div(tf.sub(original(tf.add(zx, h)), original(tf.sub(zx, h))), 2 * h);
        // Exactly secant or slope: x * 1 + 0 * y = x for finite y.
        const m = tf.add(tf.mul(far, secant), tf.mul(near, slope));
        const [dyx] = tf.split(dy, 2, 0);
        return tf.concat([tf.mul(dyx, m), tf.zerosLike(dyx)], 0);
      },
    };
  };
  return (tf.customGrad(f as never) as unknown as (t: tf.Tensor) => tf.Tensor)(z);
};

/** DeepLift (rescale); `delta` = sum(attribution) - (f(x) - f(baseline)) per sample. */
export class DeepLift extends Explainer<DeepLiftOptions> {
  readonly name = 'DeepLift';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext, o: DeepLiftOptions): Promise<Attribution> {
    const model = requireLayersModel(this.model, this.name);
    const baseline = makeBaseline(ctx.input, o.baseline ?? 'zero', o);
    const size = ctx.sampleSize;
    const values = new Float32Array(ctx.n * size);
    const delta = new Float32Array(ctx.n);
    try {
      await ctx.chunks(ctx.n, (s, e) => {
        const samples = new Int32Array(e - s).map((_, i) => s + i);
        const [g, xs, bs, fx, fb] = tidyData(() => {
          const x = pickRows(ctx.input, samples), b = pickRows(baseline, samples);
          const both = tf.concat([x, b], 0);
          const twice = Int32Array.from([...samples, ...samples]);
          // The rule changes gradients only: the same pass gives f(x) and f(baseline) for the delta.
          let sc = new Float32Array(0);
          const grad = tf.grad((t: tf.Tensor) => {
            const scores = targetScores(forwardWithRule(model, t, rescaleRule), ctx.target, twice);
            sc = (scores.dataSync() as Float32Array).slice();
            return tf.sum(tf.slice(scores, 0, e - s));
          })(both);
          return [tf.slice(grad, 0, e - s).dataSync(), x.dataSync(), b.dataSync(), sc.slice(0, e - s), sc.slice(e - s)];
        });
        for (let r = 0; r < e - s; r++) {
          let sum = 0;
          for (let j = 0; j < size; j++) {
            const v = g[r * size + j] * (xs[r * size + j] - bs[r * size + j]);
            values[(s + r) * size + j] = v;
            sum += v;
          }
          delta[s + r] = sum - (fx[r] - fb[r]);
        }
      });
    } finally {
      baseline.dispose();
    }
    return ctx.attribution(values, { delta });
  }
}
