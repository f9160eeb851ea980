/**
 * RISE (Petsiuk et al.): random smooth masks (a coarse binary grid, each cell kept with
 * probability p, upsampled and randomly shifted) multiply the input; the saliency is the
 * score-weighted mean mask, sum_i f(x * M_i) M_i / (count * p). Masks are generated and
 * scored chunk by chunk through the perturbation engine.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { runPerturbations } from './perturbation.js';
import { splitSampleShape, upsample } from './spatial.js';
import type { CommonOptions } from './types.js';

/** RISE options. */
export interface RiseOptions extends CommonOptions {
  /** Number of masks per sample. Default 500. */
  masks?: number;
  /** Grid cells per spatial axis. Default 8 (at most the axis length). */
  cells?: number;
  /** Probability a cell is kept. Default 0.5. */
  keepProbability?: number;
  seed?: number;
}

/** Generates `rows` RISE masks ([rows, ...spatial], 1 = kept), inside tidy. */
export function riseMasks(spatial: number[], rows: number, cells: number, p: number, rng: Rng): tf.Tensor {
  const s = spatial.map((len) => Math.min(cells, len));
  const cellSize = spatial.map((len, a) => Math.ceil(len / s[a]));
  const lowShape = s.map((v) => v + 1);
  const lowSize = lowShape.reduce((a, b) => a * b, 1);
  const low = Float32Array.from({ length: rows * lowSize }, () => (rng.next() < p ? 1 : 0));
  const up = upsample(tf.tensor(low, [rows, ...lowShape, 1]), lowShape.map((v, a) => v * cellSize[a]));
  const crops = Array.from({ length: rows }, (_, r) => {
    const shift = cellSize.map((c) => rng.int(c));
    return tf.slice(up, [r, ...shift, 0], [1, ...spatial, 1]);
  });
  return tf.reshape(tf.concat(crops), [rows, ...spatial]);
}

/** RISE. */
export class Rise extends Explainer<RiseOptions> {
  readonly name = 'RISE';
  protected async run(ctx: ExplainContext, o: RiseOptions): Promise<Attribution> {
    const count = o.masks ?? 500, cells = o.cells ?? 8, p = o.keepProbability ?? 0.5;
    if (!Number.isInteger(count) || count < 1) throw new InvalidInputError('masks', `must be a positive integer, got ${count}`);
    if (!Number.isInteger(cells) || cells < 1) throw new InvalidInputError('cells', `must be a positive integer, got ${cells}`);
    if (!(p > 0 && p <= 1)) throw new InvalidInputError('keepProbability', `must be in (0, 1], got ${p}`);
    const { spatial, channels } = splitSampleShape(ctx.sampleShape);
    const hasChannelAxis = ctx.sampleShape.length > spatial.length;
    const rng = new Rng(o.seed ?? 0);
    const size = ctx.sampleSize;
    const sal = new Float32Array(ctx.n * size);
    const positions = size / channels;
    await runPerturbations(ctx, {
      count,
      // [rows, ...spatial, 1] masks are shared by the channels (broadcast by the engine).
      masks: (samples) => {
        const drop = tf.sub(1, riseMasks(spatial, samples.length, cells, p, rng));
        return hasChannelAxis ? tf.expandDims(drop, -1) : drop;
      },
      consume: (samples, _index, scores, masks) => {
        const m = masks.dataSync();
        samples.forEach((i, r) => {
          const w = scores[r] / (count * p);
          for (let q = 0; q < positions; q++) {
            const v = w * (1 - m[r * positions + q]);
            const off = i * size + q * channels;
            for (let c = 0; c < channels; c++) sal[off + c] += v;
          }
        });
      },
    }, { baseline: 0 });
    return ctx.attribution(sal);
  }
}
