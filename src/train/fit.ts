/**
 * The medlens training loop (browser-safe): softmax cross-entropy on logits minimised with a tfjs
 * optimizer, seeded shuffling, class weights, validation (split by group when groups exist),
 * early stopping with best-weight restore, checkpoints through an injected store, exact resume,
 * and progress events. Written as a custom loop rather than `model.fit` because fit cannot
 * checkpoint optimizer state, seed its shuffling, or resume mid-run.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { LabeledDataset } from '../data/types.js';
import type { ProgressCallback } from '../progress.js';
import { Rng } from '../util/random.js';
import { classWeights as computeClassWeights, gatherBatch, validateDataset, validationSplit } from './dataset.js';
import { assertInputShape, crossEntropy, predictLogits, softmaxRows } from './predict.js';
import { argmaxRows, classificationReport } from './metrics.js';
import type { CheckpointStore, EpochRecord, TrainCheckpoint } from './checkpoint.js';
import { createOptimizer, readModelWeights, readOptimizerWeights, restoreOptimizer, writeModelWeights, type OptimizerName } from './state.js';

/** Quantity watched by early stopping. */
export type Monitor = 'valLoss' | 'valAccuracy' | 'valBalancedAccuracy' | 'valMacroF1';

/** Options of `fit`. */
export interface FitOptions {
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: OptimizerName;
  /** Seeds shuffling and the validation split. */
  seed?: number;
  /** Loss weight per class: 'balanced' (n / (k * count)) or one number per class. */
  classWeights?: 'balanced' | number[];
  /** A separate validation set, or a fraction split off the training data (by group when it has groups). */
  validation?: LabeledDataset | { fraction: number; byGroup?: boolean };
  earlyStopping?: { patience: number; monitor?: Monitor; minDelta?: number; restoreBest?: boolean };
  /** Where to save a checkpoint after every `checkpointEvery` epochs (default 1). */
  checkpoints?: CheckpointStore;
  checkpointEvery?: number;
  /** Continue from the store's last checkpoint when there is one. */
  resume?: boolean;
  onProgress?: ProgressCallback;
  /** Called after each epoch (after its checkpoint); return true to stop. */
  onEpochEnd?: (record: EpochRecord) => boolean | void | Promise<boolean | void>;
}

/** What `fit` returns. */
export interface FitResult {
  history: EpochRecord[];
  /** Epoch (1-based) whose weights the model holds at the end when best weights were restored, else the last. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Epochs completed before this call started (resume), 0 for a fresh run. */
  resumedFrom: number;
  validation?: LabeledDataset;
  /** Groups held out for validation when the split was by group. */
  validationGroups?: string[];
}

function isBetter(monitor: Monitor, value: number, best: number, minDelta: number): boolean {
  if (Number.isNaN(best)) return !Number.isNaN(value);
  return monitor === 'valLoss' ? value < best - minDelta : value > best + minDelta;
}

/** Per-epoch seed: a pure function of (seed, epoch) so a resumed run shuffles exactly as an uninterrupted one. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

function checkOptions(o: FitOptions): void {
  const positiveInt = (v: number | undefined, name: string) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new InvalidInputError(name, `${v} must be a positive integer`);
  };
  positiveInt(o.epochs, 'epochs');
  positiveInt(o.batchSize, 'batchSize');
  positiveInt(o.checkpointEvery, 'checkpointEvery');
  if (o.learningRate !== undefined && !(o.learningRate > 0 && Number.isFinite(o.learningRate))) {
    throw new InvalidInputError('learningRate', `${o.learningRate} must be a positive number`);
  }
  if (o.earlyStopping && !(Number.isInteger(o.earlyStopping.patience) && o.earlyStopping.patience >= 0)) {
    throw new InvalidInputError('earlyStopping.patience', `${o.earlyStopping.patience} must be a non-negative integer`);
  }
}

/**
 * Trains `model` (outputs logits [N, K]) on `data`. Validates the data (NaN/Inf, labels, shapes)
 * first; keeps the tensor count flat; with `checkpoints` + `resume` continues an interrupted run
 * to the same weights as an uninterrupted one (given a dropout-free model: tfjs dropout is unseeded).
 */
export async function fit(model: tfl.LayersModel, data: LabeledDataset, options: FitOptions): Promise<FitResult> {
  checkOptions(options);
  validateDataset(data, 'training data');
  assertInputShape(model, data.shape, 'training data');
  const k = data.classNames.length;
  const outUnits = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outUnits !== k) throw new InvalidInputError('training data', `has ${k} classes but the model outputs ${outUnits}`);
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 32;
  const monitor = options.earlyStopping?.monitor ?? 'valLoss';

  let train = data;
  let validation: LabeledDataset | undefined;
  let validationGroups: string[] | undefined;
  if (options.validation && 'fraction' in options.validation) {
    const split = validationSplit(data, options.validation.fraction, seed, options.validation.byGroup ?? true);
    train = split.train;
    validation = split.validation;
    validationGroups = split.validationGroups;
  } else if (options.validation) {
    validation = options.validation;
    validateDataset(validation, 'validation data');
    assertInputShape(model, validation.shape, 'validation data');
    if (validation.classNames.length !== k) throw new InvalidInputError('validation data', `has ${validation.classNames.length} classes, training data ${k}`);
  }
  if (options.earlyStopping && !validation) throw new InvalidInputError('earlyStopping', 'needs a validation set or fraction');
  if (train.shape[0] === 0) throw new InvalidInputError('training data', 'is empty');

  const weights = options.classWeights ? computeClassWeights(train.y, k, options.classWeights) : new Array<number>(k).fill(1);
  const optimizerName = options.optimizer ?? 'adam';
  const optimizer = createOptimizer(optimizerName, options.learningRate ?? 1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  let history: EpochRecord[] = [];
  let best: NonNullable<TrainCheckpoint['best']> = { epoch: 0, value: NaN, wait: 0 };
  let start = 0;
  const resumed = options.resume && options.checkpoints ? await options.checkpoints.load() : undefined;
  if (resumed) {
    if (resumed.seed !== seed || resumed.optimizer !== optimizerName) {
      throw new InvalidInputError('resume', `checkpoint was made with seed ${resumed.seed}/${resumed.optimizer}, this run uses ${seed}/${optimizerName}`);
    }
    writeModelWeights(model, resumed.weights);
    await restoreOptimizer(optimizer, resumed.optimizerWeights);
    history = resumed.history;
    start = resumed.epochsDone;
    if (resumed.best) best = resumed.best;
  }

  const n = train.shape[0];
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const totalBatches = options.epochs * batchesPerEpoch;
  let stoppedEarly = false;
  try {
    for (let epoch = start; epoch < options.epochs; epoch++) {
      const t0 = Date.now();
      const order = new Rng(epochSeed(seed, epoch)).shuffle(Array.from({ length: n }, (_, i) => i));
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const { x, y } = gatherBatch(train, idx);
        const sw = Float32Array.from(y, (c) => weights[c]);
        let preds: tf.Tensor | undefined;
        const cost = tf.tidy(() => {
          const xb = tf.tensor(x, [idx.length, ...train.shape.slice(1)]);
          const onehot = tf.oneHot(tf.tensor1d(y, 'int32'), k);
          const wb = tf.tensor1d(sw);
          return optimizer.minimize(
            () => {
              const logits = model.apply(xb, { training: true }) as tf.Tensor;
              preds = tf.keep(tf.argMax(logits, 1));
              // cross-entropy = logsumexp(logits) - logit of the true class; weighted mean as Keras
              const ce = tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(onehot, logits), 1));
              return tf.mean(tf.mul(ce, wb)) as tf.Scalar;
            },
            true,
            vars,
          ) as tf.Scalar;
        });
        const loss = cost.dataSync()[0];
        cost.dispose();
        const p = preds!.dataSync();
        preds!.dispose();
        for (let i = 0; i < y.length; i++) if (p[i] === y[i]) correct++;
        if (!Number.isFinite(loss)) throw new InvalidInputError('training', `loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1}: lower the learning rate`);
        lossSum += loss * idx.length;
        options.onProgress?.({
          task: 'train',
          done: epoch * batchesPerEpoch + b + 1,
          total: totalBatches,
          info: { epoch: epoch + 1, epochs: options.epochs, loss: lossSum / Math.min(n, (b + 1) * batchSize) },
        });
      }
      const record: EpochRecord = { epoch: epoch + 1, loss: lossSum / n, accuracy: correct / n, seconds: 0 };
      if (validation) {
        const logits = predictLogits(model, validation.x, validation.shape, Math.max(batchSize, 64));
        const rep = classificationReport(validation.y, argmaxRows(logits, k), validation.classNames, softmaxRows(logits, k));
        record.valLoss = crossEntropy(logits, validation.y, k);
        record.valAccuracy = rep.accuracy;
        record.valBalancedAccuracy = rep.balancedAccuracy;
        record.valMacroF1 = rep.macroF1;
      }
      record.seconds = (Date.now() - t0) / 1000;
      history.push(record);

      if (options.earlyStopping) {
        const value = record[monitor] as number;
        if (isBetter(monitor, value, best.value, options.earlyStopping.minDelta ?? 0)) {
          best = { epoch: record.epoch, value, wait: 0, weights: options.earlyStopping.restoreBest !== false ? readModelWeights(model) : undefined };
        } else {
          best.wait++;
          // as Keras: stop after `patience` epochs in a row without improvement
          if (best.wait >= options.earlyStopping.patience) stoppedEarly = true;
        }
      }
      const info: Record<string, number | string> = { epoch: record.epoch, epochs: options.epochs, loss: record.loss, accuracy: record.accuracy };
      for (const key of ['valLoss', 'valAccuracy', 'valMacroF1'] as const) if (record[key] !== undefined) info[key] = record[key]!;
      options.onProgress?.({ task: 'train:epoch', done: record.epoch, total: options.epochs, info });

      const isLast = stoppedEarly || epoch + 1 === options.epochs;
      if (options.checkpoints && ((epoch + 1) % (options.checkpointEvery ?? 1) === 0 || isLast)) {
        await options.checkpoints.save({
          epochsDone: epoch + 1,
          seed,
          optimizer: optimizerName,
          history,
          weights: readModelWeights(model),
          optimizerWeights: await readOptimizerWeights(optimizer),
          best,
        });
      }
      if ((await options.onEpochEnd?.(record)) === true) break;
      if (stoppedEarly) break;
    }
    let bestEpoch = history.length ? history[history.length - 1].epoch : 0;
    if (options.earlyStopping && options.earlyStopping.restoreBest !== false && best.weights) {
      writeModelWeights(model, best.weights);
      bestEpoch = best.epoch;
    }
    return { history, bestEpoch, stoppedEarly, resumedFrom: start, validation, validationGroups };
  } finally {
    optimizer.dispose();
  }
}
