/**
 * A conditional inpainting model for images, trained in medlens: the 2D analogue of
 * `EcgInfillModel`. A small convolutional network with one down/up level (a U-Net in
 * miniature: two 3x3 convolutions, a strided 3x3 convolution, two more, a 2x2 transposed
 * convolution back up, concatenated with the full-resolution features) reads the image with its
 * holes filled by harmonic (diffusion) infill plus the hole mask, and predicts a correction that
 * is added inside the holes only. Its last layer starts at zero, so the untrained model IS the
 * harmonic fill and training refines it. Trained as a masked (denoising) autoencoder on random
 * rectangular and elliptical holes; each image is standardised by the mean/std of its observed
 * pixels, so the model is contrast- and offset-invariant. Fully convolutional: any even
 * height/width; channels are infilled one at a time.
 */
import { tf, tfl, tidyData } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';
import { Rng } from '../../util/random.js';
import { harmonicInfill, readInfillArgs } from './classical.js';
import { initSeed, runMaskedTraining, standardizeObserved } from './training.js';
import type { InfillFunction } from './types.js';

/** Architecture options. */
export interface ImageInfillModelOptions {
  /** Filters of the full-resolution layers (default 16; the half-resolution layers have twice as many). */
  filters?: number;
  /** Weight initialisation seed (default 0). */
  seed?: number;
}

/** Training options. */
export interface ImageInfillTrainOptions {
  /** Optimiser steps (default 200). */
  steps?: number;
  /** Images per step (default 16). */
  batchSize?: number;
  /** Hole size range in pixels: side of a rectangle / diameter of an ellipse (default [4, 12]). */
  holeSize?: [number, number];
  /** Adam learning rate (default 3e-3). */
  learningRate?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

/** Options of `ImageInfillModel.evaluate` (the same holes for the same seed). */
export interface ImageInfillEvalOptions {
  /** Images with one random hole each, drawn with replacement (default 64). */
  count?: number;
  holeSize?: [number, number];
  seed?: number;
}

/** Single-channel images for training and evaluation: [N, H, W] or [N, H, W, 1] values. */
export interface ImageSet {
  x: Float32Array;
  shape: number[];
}

const harmonic = harmonicInfill();

/** Checks an image set and returns its layout. */
function readImageSet(set: ImageSet): { n: number; h: number; w: number } {
  const { x, shape } = set;
  if (!(shape.length === 3 || (shape.length === 4 && shape[3] === 1))) throw new InvalidInputError('images', `expected [N, H, W] or [N, H, W, 1], got [${shape}]`);
  const [n, h, w] = shape;
  if (x.length !== n * h * w) throw new InvalidInputError('images', `${x.length} values for shape [${shape}]`);
  if (n < 1) throw new InvalidInputError('images', 'no images');
  checkEvenSize(h, w, 'images');
  for (const v of x) if (!Number.isFinite(v)) throw new InvalidInputError('images', 'contain NaN or Inf');
  return { n, h, w };
}

/** The single down/up level needs even sizes so the upsampled features line up with the full-resolution ones. */
function checkEvenSize(h: number, w: number, what: string): void {
  if (h % 2 !== 0 || w % 2 !== 0 || h < 2 || w < 2) throw new InvalidInputError(what, `height and width must be even (one down/up level), got ${h} x ${w}`);
}

function checkHoleSize(size: [number, number], h: number, w: number): void {
  if (!(Array.isArray(size) && Number.isInteger(size[0]) && Number.isInteger(size[1]) && size[0] >= 1 && size[1] >= size[0] && size[1] < Math.min(h, w))) {
    throw new InvalidInputError('holeSize', `[${size}] must be integers with 1 <= min <= max < image side (${Math.min(h, w)})`);
  }
}

/** Marks one random hole in `m` (an h x w image at `off`): a rectangle or an ellipse, half of each. */
export function drawRandomHole(m: Float32Array, off: number, h: number, w: number, size: [number, number], rng: Rng): void {
  const side = () => size[0] + rng.int(size[1] - size[0] + 1);
  const sh = side(), sw = side();
  const top = rng.int(h - sh + 1), left = rng.int(w - sw + 1);
  const ellipse = rng.next() < 0.5;
  const cy = top + (sh - 1) / 2, cx = left + (sw - 1) / 2;
  for (let y = top; y < top + sh; y++) {
    for (let x = left; x < left + sw; x++) {
      const inside = !ellipse || ((y - cy) / (sh / 2)) ** 2 + ((x - cx) / (sw / 2)) ** 2 <= 1;
      if (inside) m[off + y * w + x] = 1;
    }
  }
}

/** The image inpainting network with training, evaluation and the `infill` function. */
export class ImageInfillModel {
  private constructor(readonly model: tfl.LayersModel) {}

  /** A new, untrained network (equal to harmonic infill until trained). */
  static create(options: ImageInfillModelOptions = {}): ImageInfillModel {
    const f = options.filters ?? 16, seed = options.seed ?? 0;
    if (!(Number.isInteger(f) && f >= 1)) throw new InvalidInputError('filters', `must be a positive integer, got ${f}`);
    let layer = 0;
    const conv = (filters: number, input: tfl.SymbolicTensor, strides = 1) => tfl.layers.conv2d({
      filters, kernelSize: 3, strides, padding: 'same', activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: initSeed(seed + layer) }), name: `inpaint_conv${layer++}`,
    }).apply(input) as tfl.SymbolicTensor;
    const input = tfl.input({ shape: [null, null, 2] });
    const full = conv(f, conv(f, input));
    const half = conv(2 * f, conv(2 * f, full, 2));
    const up = tfl.layers.conv2dTranspose({
      filters: f, kernelSize: 2, strides: 2, padding: 'same', activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: initSeed(seed + layer++) }), name: 'inpaint_up',
    }).apply(half) as tfl.SymbolicTensor;
    const merged = tfl.layers.concatenate({ axis: 3, name: 'inpaint_skip' }).apply([full, up]) as tfl.SymbolicTensor;
    const out = tfl.layers.conv2d({
      filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: 'zeros', name: 'inpaint_out',
    }).apply(conv(f, merged)) as tfl.SymbolicTensor;
    return new ImageInfillModel(tfl.model({ inputs: input, outputs: out, name: 'image_infill' }));
  }

  /** Wraps a saved network (input [N, H, W, 2]: standardised harmonic fill, mask; output [N, H, W, 1]: correction). */
  static fromLayersModel(model: tfl.LayersModel): ImageInfillModel {
    const inShape = model.inputs[0].shape, outShape = model.outputs[0].shape;
    if (model.inputs.length !== 1 || inShape.length !== 4 || inShape[3] !== 2 || outShape.length !== 4 || outShape[3] !== 1) {
      throw new InvalidInputError('model', `an image infill model maps [N, H, W, 2] to [N, H, W, 1], got [${inShape}] -> [${outShape}]`);
    }
    return new ImageInfillModel(model);
  }

  /**
   * Infilled rows [r, H, W] from their harmonic fill and holes (1 = missing): the harmonic fill
   * plus the network's correction (scaled back to image units) inside the holes, with the rows'
   * observed mean and std ([r, 1, 1]) for the loss.
   */
  private predictRows(harm: tf.Tensor, mask: tf.Tensor, training: boolean): { y: tf.Tensor; std: tf.Tensor; mean: tf.Tensor } {
    const [r, h, w] = harm.shape;
    const flat = tf.reshape(harm, [r, h * w]);
    const { mean, std } = standardizeObserved(flat, tf.sub(1, tf.reshape(mask, [r, h * w])));
    const m = tf.reshape(mean, [r, 1, 1]), s = tf.reshape(std, [r, 1, 1]);
    const input = tf.stack([tf.div(tf.sub(harm, m), s), mask], 3);
    const correction = tf.squeeze(this.model.apply(input, { training }) as tf.Tensor, [3]);
    return { y: tf.add(harm, tf.mul(tf.mul(correction, s), mask)), std: s, mean: m };
  }

  /** Random images with one random hole each, and their harmonic fills: [batch, H, W] arrays. */
  private sampleBatch(set: ImageSet, batch: number, size: [number, number], rng: Rng): { x: Float32Array; m: Float32Array; harm: Float32Array; shape: [number, number, number] } {
    const [n, h, w] = set.shape, p = h * w;
    const x = new Float32Array(batch * p), m = new Float32Array(batch * p);
    for (let b = 0; b < batch; b++) {
      const i = rng.int(n);
      x.set(set.x.subarray(i * p, (i + 1) * p), b * p);
      drawRandomHole(m, b * p, h, w, size, rng);
    }
    const harm = tidyData(() => harmonic(tf.tensor(x, [batch, h, w, 1]), tf.tensor(m, [batch, h, w, 1])).dataSync() as Float32Array);
    return { x, m, harm, shape: [batch, h, w] };
  }

  /** Trains on random holes in `images`; returns the loss per step (squared error in the holes, standardised units). */
  async train(images: ImageSet, options: ImageInfillTrainOptions = {}): Promise<{ losses: number[] }> {
    const { h, w } = readImageSet(images);
    const steps = options.steps ?? 200, batch = options.batchSize ?? 16, size = options.holeSize ?? [4, 12];
    if (!(Number.isInteger(steps) && steps >= 0)) throw new InvalidInputError('steps', `must be a non-negative integer, got ${steps}`);
    if (!(Number.isInteger(batch) && batch >= 1)) throw new InvalidInputError('batchSize', `must be a positive integer, got ${batch}`);
    checkHoleSize(size, h, w);
    const rng = new Rng(options.seed ?? 0);
    const losses = await runMaskedTraining({
      task: 'train:image-infill',
      steps,
      learningRate: options.learningRate ?? 3e-3,
      variables: this.model.trainableWeights.map((v) => v.read() as tf.Variable),
      sample: () => this.sampleBatch(images, batch, size, rng),
      loss: ({ x, m, harm, shape }) => {
        const mt = tf.tensor(m, shape);
        const { y, std } = this.predictRows(tf.tensor(harm, shape), mt, true);
        const err = tf.div(tf.sub(y, tf.tensor(x, shape)), std);
        return tf.div(tf.sum(tf.mul(tf.square(err), mt)), tf.sum(mt)) as tf.Scalar;
      },
      onProgress: options.onProgress,
    });
    return { losses };
  }

  /**
   * Mean squared error inside random holes (seeded: the same holes for the same seed) for this
   * model, harmonic fill, zeros and each image's observed mean, in image units.
   */
  evaluate(images: ImageSet, options: ImageInfillEvalOptions = {}): { model: number; harmonic: number; zeros: number; mean: number } {
    const { h, w } = readImageSet(images);
    const count = options.count ?? 64, size = options.holeSize ?? [4, 12];
    if (!(Number.isInteger(count) && count >= 1)) throw new InvalidInputError('count', `must be a positive integer, got ${count}`);
    checkHoleSize(size, h, w);
    const { x, m, harm, shape } = this.sampleBatch(images, count, size, new Rng(options.seed ?? 12345));
    return tf.tidy(() => {
      const xt = tf.tensor(x, shape), mt = tf.tensor(m, shape), ht = tf.tensor(harm, shape);
      const holes = tf.sum(mt);
      const err = (p: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.square(tf.sub(p, xt)), mt)), holes).dataSync()[0];
      const keep = tf.sub(1, mt);
      const observedMean = tf.div(tf.sum(tf.mul(xt, keep), [1, 2], true), tf.maximum(tf.sum(keep, [1, 2], true), 1));
      return { model: err(this.predictRows(ht, mt, false).y), harmonic: err(ht), zeros: err(tf.zerosLike(xt)), mean: err(tf.add(tf.zerosLike(xt), observedMean)) };
    });
  }

  /** The infill function: images x [N, H, W, C] (even H, W) with mask of the same shape; each channel is infilled separately. */
  get infill(): InfillFunction {
    return (x, mask) => {
      const { spatial, channels } = readInfillArgs(x, mask);
      if (spatial.length !== 2) throw new InvalidInputError('infill', `the image infill model needs images [N, H, W, C], got shape [${x.shape}]`);
      const [h, w] = spatial;
      checkEvenSize(h, w, 'infill');
      return tf.tidy(() => {
        const n = x.shape[0];
        const m = tf.cast(tf.greater(mask, 0.5), 'float32');
        const harm = harmonic(x, m);
        const rows = (v: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(v, [n, h, w, channels]), [0, 3, 1, 2]), [n * channels, h, w]);
        const { y } = this.predictRows(rows(harm), rows(m), false);
        return tf.reshape(tf.transpose(tf.reshape(y, [n, channels, h, w]), [0, 2, 3, 1]), x.shape);
      });
    };
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
