/**
 * Occlusion (Zeiler & Fergus; Captum): a window slides over the input with strides; each
 * element's attribution is the mean score drop f(x) - f(x with the window replaced) over the
 * windows covering it. The replacement may be a baseline or a function (generative infill).
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { runPerturbations, type PerturbationOptions } from './perturbation.js';
import { boxIndices, splitSampleShape, windowStarts } from './spatial.js';
import type { CommonOptions } from './types.js';

/** Occlusion options. */
export interface OcclusionOptions extends CommonOptions, PerturbationOptions {
  /** Window size per spatial axis (all channels occluded together) or per sample axis. */
  window: number[];
  /** Strides, same length as `window`; default the window (no overlap). */
  strides?: number[];
}

/** Window and strides over the full sample shape (channels appended when given per spatial axis). */
function fullWindow(sampleShape: number[], window: number[], strides?: number[]): { window: number[]; strides: number[] } {
  const { spatial, channels } = splitSampleShape(sampleShape);
  if (!Array.isArray(window)) throw new InvalidInputError('window', 'is required (sizes per axis)');
  const s = strides ?? window;
  if (s.length !== window.length) throw new InvalidInputError('strides', `need ${window.length} values like window`);
  if (window.length === sampleShape.length) return { window, strides: s };
  if (window.length === spatial.length) return { window: [...window, channels], strides: [...s, channels] };
  throw new InvalidInputError('window', `needs ${spatial.length} (spatial) or ${sampleShape.length} sizes for samples of shape [${sampleShape}]`);
}

/** Occlusion with batched windows. */
export class Occlusion extends Explainer<OcclusionOptions> {
  readonly name = 'Occlusion';
  protected async run(ctx: ExplainContext, o: OcclusionOptions): Promise<Attribution> {
    const { window, strides } = fullWindow(ctx.sampleShape, o.window, o.strides);
    const boxes = windowStarts(ctx.sampleShape, window, strides).map((st) => boxIndices(ctx.sampleShape, st, window));
    const size = ctx.sampleSize;
    const total = new Float32Array(ctx.n * size), covered = new Float32Array(ctx.n * size);
    await runPerturbations(ctx, {
      count: boxes.length,
      masks: (samples, index) => {
        const m = new Float32Array(samples.length * size);
        index.forEach((b, r) => boxes[b].forEach((j) => (m[r * size + j] = 1)));
        return tf.tensor(m, [samples.length, ...ctx.sampleShape]);
      },
      consume: (samples, index, scores) => {
        index.forEach((b, r) => {
          const off = samples[r] * size, drop = ctx.baseScores[samples[r]] - scores[r];
          for (const j of boxes[b]) {
            total[off + j] += drop;
            covered[off + j] += 1;
          }
        });
      },
    }, o);
    return ctx.attribution(total.map((v, i) => (covered[i] > 0 ? v / covered[i] : 0)));
  }
}
