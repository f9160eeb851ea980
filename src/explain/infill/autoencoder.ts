/**
 * A conditional infill model for ECG, trained in medlens: a small fully convolutional 1D
 * network (plain convolutions: tfjs has no gradient for dilated ones; receptive field
 * layers x (kernel - 1) + 1 samples) that reads a signal with a hole, the hole's mask and the
 * linear interpolation across the hole, and predicts the signal inside the hole as a residual
 * over that interpolation (its last layer starts at zero, so the untrained model IS linear
 * interpolation and training refines it). It is trained as a masked
 * (denoising) autoencoder: random windows of training signals get random holes, and the loss
 * is the squared error inside the holes. Each row is standardised by the mean and standard
 * deviation of its observed samples, so the model is amplitude- and offset-invariant.
 * Being fully convolutional, it infills signals of any length, lead by lead.
 */
import { tf, tfl } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';
import { Rng } from '../../util/random.js';
import { linearInfill, readInfillArgs } from './classical.js';
import { initSeed, runMaskedTraining, standardizeObserved } from './training.js';
import type { InfillFunction } from './types.js';

/** Architecture options. */
export interface EcgInfillModelOptions {
  /** Filters per hidden layer (default 16). */
  filters?: number;
  /** Kernel size (default 15). */
  kernelSize?: number;
  /** Hidden convolution layers (default 5). */
  layers?: number;
  /** Weight initialisation seed (default 0). */
  seed?: number;
}

/** Training options. */
export interface EcgInfillTrainOptions {
  /** Optimiser steps (default 300). */
  steps?: number;
  /** Windows per step (default 16). */
  batchSize?: number;
  /** Window length in samples (default 256). */
  window?: number;
  /** Hole length range in samples (default [8, 64]). */
  gap?: [number, number];
  /** Adam learning rate (default 3e-3). */
  learningRate?: number;
  /** Largest global gradient norm per step (default: no clipping); see `MaskedTrainingLoop.clipNorm`. */
  clipNorm?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

/** Signals for training and evaluation: one array per signal, or a [N, T] / [N, T, 1] batch. */
export type SignalSet = Float32Array[] | { x: Float32Array; shape: number[] };

const linearFill = linearInfill({ noise: 0 });

/** Linear interpolation across the holes of rows [rows, T] (an input of the network, no gradient needed). */
function linear(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return linearFill(x, mask);
}

function toSignals(set: SignalSet): Float32Array[] {
  if (Array.isArray(set)) return set;
  const { x, shape } = set;
  if (!(shape.length === 2 || (shape.length === 3 && shape[2] === 1))) throw new InvalidInputError('signals', `expected [N, T] or [N, T, 1], got [${shape}]`);
  const t = shape[1];
  if (x.length !== shape[0] * t) throw new InvalidInputError('signals', `${x.length} values for shape [${shape}]`);
  return Array.from({ length: shape[0] }, (_, i) => x.subarray(i * t, (i + 1) * t));
}

/**
 * Squared error inside the holes of rows [rows, T] (network units), each row weighted by its
 * squared scale `std` [rows, 1] over the batch mean: the signal-unit error that `evaluate` and
 * the infill's users see, made unit-free. Why not the plain network-unit error: a window whose
 * hole covers the QRS keeps only low-variance samples, so its std is small and its target tens
 * of units large; such rows dominated the loss and its gradient (batch losses 1 -> 23 -> 0.3 on
 * MIT-BIH beats) and the model ended worse than linear interpolation in signal units.
 */
function holeLoss(y: tf.Tensor, target: tf.Tensor, holes: tf.Tensor, std: tf.Tensor): tf.Scalar {
  const weight = tf.div(tf.square(std), tf.mean(tf.square(std)));
  return tf.div(tf.sum(tf.mul(tf.mul(tf.square(tf.sub(y, target)), holes), weight)), tf.sum(holes)) as tf.Scalar;
}

/** The ECG infill network with training, evaluation and the `infill` function. */
export class EcgInfillModel {
  private constructor(readonly model: tfl.LayersModel) {}

  /** A new, untrained network. */
  static create(options: EcgInfillModelOptions = {}): EcgInfillModel {
    const filters = options.filters ?? 16, kernelSize = options.kernelSize ?? 15;
    const layers = options.layers ?? 5;
    const seed = options.seed ?? 0;
    const input = tfl.input({ shape: [null, 3] });
    let h: tfl.SymbolicTensor = input;
    Array.from({ length: layers }, (_, i) => i).forEach((i) => {
      h = tfl.layers.conv1d({
        filters, kernelSize, padding: 'same', activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: initSeed(seed + i) }), name: `infill_conv${i}`,
      }).apply(h) as tfl.SymbolicTensor;
    });
    const out = tfl.layers.conv1d({
      filters: 1, kernelSize, padding: 'same', kernelInitializer: 'zeros', name: 'infill_out',
    }).apply(h) as tfl.SymbolicTensor;
    return new EcgInfillModel(tfl.model({ inputs: input, outputs: out, name: 'ecg_infill' }));
  }

  /** Wraps a saved network (input [null, 3]: signal, mask, linear fill; output [null, 1]: residual). */
  static fromLayersModel(model: tfl.LayersModel): EcgInfillModel {
    const inShape = model.inputs[0].shape, outShape = model.outputs[0].shape;
    if (inShape.length !== 3 || inShape[2] !== 3 || outShape.length !== 3 || outShape[2] !== 1) {
      throw new InvalidInputError('model', `an ECG infill model maps [N, T, 3] to [N, T, 1], got [${inShape}] -> [${outShape}]`);
    }
    return new EcgInfillModel(model);
  }

  /** Predicted rows [rows, T] for signals [rows, T] with holes `mask` (1 = missing), in signal units. */
  private predictRows(x: tf.Tensor, mask: tf.Tensor): tf.Tensor {
    const { inputs, mean, std } = this.networkInputs(x, mask);
    const y = tf.squeeze(this.model.apply(inputs.input, { training: false }) as tf.Tensor, [2]);
    return tf.add(tf.mul(tf.add(inputs.zLinear, y), std), mean);
  }

  /** Network input [rows, T, 3] (standardised signal with holes, mask, standardised linear fill) and the row statistics. */
  private networkInputs(x: tf.Tensor, mask: tf.Tensor): { inputs: { input: tf.Tensor; zLinear: tf.Tensor }; mean: tf.Tensor; std: tf.Tensor } {
    const keep = tf.sub(1, mask);
    const { z, mean, std } = standardizeObserved(x, keep);
    const zLinear = tf.div(tf.sub(linear(x, mask), mean), std);
    return { inputs: { input: tf.stack([z, mask, zLinear], 2), zLinear }, mean, std };
  }

  /** Random windows with random holes: [batch, window] signals and masks. */
  private sampleBatch(signals: Float32Array[], batch: number, window: number, gap: [number, number], rng: Rng): { x: Float32Array; m: Float32Array } {
    const x = new Float32Array(batch * window), m = new Float32Array(batch * window);
    for (let b = 0; b < batch; b++) {
      const s = signals[rng.int(signals.length)];
      const start = rng.int(s.length - window + 1);
      x.set(s.subarray(start, start + window), b * window);
      const len = gap[0] + rng.int(gap[1] - gap[0] + 1);
      const at = rng.int(window - len + 1);
      m.fill(1, b * window + at, b * window + at + len);
    }
    return { x, m };
  }

  private checkSet(signals: Float32Array[], window: number, gap: [number, number]): void {
    if (signals.length === 0) throw new InvalidInputError('signals', 'no training signals');
    const short = signals.findIndex((s) => s.length < window);
    if (short >= 0) throw new InvalidInputError('signals', `signal ${short} has ${signals[short].length} samples, fewer than the window ${window}`);
    if (!(Number.isInteger(gap[0]) && Number.isInteger(gap[1]) && gap[0] >= 1 && gap[1] >= gap[0] && gap[1] < window)) {
      throw new InvalidInputError('gap', `[${gap}] must be integers with 1 <= min <= max < window (${window})`);
    }
    for (const s of signals) for (const v of s) if (!Number.isFinite(v)) throw new InvalidInputError('signals', 'contain NaN or Inf');
  }

  /** Trains on random holes in windows of `signals`; returns the loss per step (squared error in the holes, standardised units). */
  async train(set: SignalSet, options: EcgInfillTrainOptions = {}): Promise<{ losses: number[] }> {
    const signals = toSignals(set);
    const steps = options.steps ?? 300, batch = options.batchSize ?? 16, window = options.window ?? 256;
    const gap = options.gap ?? [8, 64];
    this.checkSet(signals, window, gap);
    const rng = new Rng(options.seed ?? 0);
    const losses = await runMaskedTraining({
      task: 'train:ecg-infill',
      steps,
      learningRate: options.learningRate ?? 3e-3,
      ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
      variables: this.model.trainableWeights.map((w) => w.read() as tf.Variable),
      sample: () => this.sampleBatch(signals, batch, window, gap, rng),
      loss: ({ x, m }) => {
        const xt = tf.tensor2d(x, [batch, window]), mt = tf.tensor2d(m, [batch, window]);
        const { inputs, std, mean } = this.networkInputs(xt, mt);
        const target = tf.div(tf.sub(xt, mean), std);
        const y = tf.add(inputs.zLinear, tf.squeeze(this.model.apply(inputs.input, { training: true }) as tf.Tensor, [2]));
        return holeLoss(y, target, mt, std);
      },
      onProgress: options.onProgress,
    });
    return { losses };
  }

  /**
   * Mean squared error inside random holes of `count` windows (seeded: the same holes for the
   * same seed), for this model, a zero fill and linear interpolation, in signal units.
   */
  evaluate(set: SignalSet, options: { count?: number; window?: number; gap?: [number, number]; seed?: number } = {}): { model: number; zeros: number; linear: number } {
    const signals = toSignals(set);
    const count = options.count ?? 64, window = options.window ?? 256, gap = options.gap ?? [8, 64];
    this.checkSet(signals, window, gap);
    const { x, m } = this.sampleBatch(signals, count, window, gap, new Rng(options.seed ?? 12345));
    return tf.tidy(() => {
      const xt = tf.tensor2d(x, [count, window]), mt = tf.tensor2d(m, [count, window]);
      const y = this.predictRows(xt, mt);
      const holes = tf.sum(mt);
      const err = (p: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.square(tf.sub(p, xt)), mt)), holes).dataSync()[0];
      return { model: err(y), zeros: err(tf.zerosLike(xt)), linear: err(linearInfill({ noise: 0 })(xt, mt)) };
    });
  }

  /** The infill function: x [N, T, C] or [N, T] with mask of the same shape; each lead is infilled separately. */
  get infill(): InfillFunction {
    return (x, mask) => {
      const { spatial, channels } = readInfillArgs(x, mask);
      if (spatial.length !== 1) throw new InvalidInputError('infill', `the ECG infill model needs signals [N, T, C], got shape [${x.shape}]`);
      return tf.tidy(() => {
        const n = x.shape[0], t = spatial[0];
        const m = tf.cast(tf.greater(mask, 0.5), 'float32');
        const rows = (v: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(v, [n, t, channels]), [0, 2, 1]), [n * channels, t]);
        const y = this.predictRows(rows(x), rows(m));
        const back = tf.reshape(tf.transpose(tf.reshape(y, [n, channels, t]), [0, 2, 1]), x.shape);
        return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(back, m));
      });
    };
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.model.dispose();
  }
}
