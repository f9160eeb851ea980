/**
 * Data and training of the ECG-LSTM study: the beat sets (synthetic with exact relevance, or real
 * beats prepared by the Node adapter with delineated waves), standardisation with training
 * statistics, training of the LSTM and the 1D-CNN with class weights, and the choice of the
 * held-out beats to explain (stratified by class, in test order).
 */
import { tfl } from '../backend/tf.js';
import type { LabeledDataset } from '../data/types.js';
import { generateEcgBeats } from '../data/synthetic/ecg-beats.js';
import { buildModel } from '../models/zoo.js';
import type { ProgressCallback } from '../progress.js';
import { fit } from '../train/fit.js';
import { argmaxRows, classificationReport } from '../train/metrics.js';
import { predictLogits, softmaxRows } from '../train/predict.js';
import { channelStats, standardize } from '../train/preprocess.js';

/** Held-out beats with per-sample wave codes (0 outside, 1 P, 2 QRS, 3 T) and, for synthetic data, the exact relevance. */
export type StudyTestSet = LabeledDataset & { waves: Uint8Array; relevance?: Uint8Array };

/** Training and held-out beats of one dataset of the study (raw, unstandardised). */
export interface StudyBeats {
  name: 'synthetic' | 'mitbih';
  source: string;
  train: LabeledDataset;
  test: StudyTestSet;
  /** Held-out records (real data). */
  testGroups?: string[];
}

/** Synthetic N/S/V beats at `fs` (current beat alone: `neighbours: false`), train and test from separate seeds. */
export function syntheticStudyBeats(seed: number, nTrain: number, nTest: number, fs: number, before: number, after: number): StudyBeats {
  const opts = { fs, before: Math.round(before * fs), after: Math.round(after * fs), neighbours: false };
  const train = generateEcgBeats({ n: nTrain, seed, ...opts });
  const test = generateEcgBeats({ n: nTest, seed: seed + 7919, ...opts });
  return {
    name: 'synthetic',
    source: `synthetic ECGSYN-style beats, current beat only, ${fs} Hz (seeds ${seed}, ${seed + 7919})`,
    train,
    test,
  };
}

/** Training settings of the study's classifiers. */
export interface ClassifierSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Early-stopping patience in epochs (default a third of `epochs`, at least 2). */
  patience?: number;
  seed: number;
  onProgress?: ProgressCallback;
}

/** A trained classifier and its held-out performance. */
export interface TrainedClassifier {
  model: tfl.LayersModel;
  arch: 'ecg-lstm' | 'ecg-cnn';
  /** Epochs run, and the one whose weights were kept (best validation macro-F1). */
  epochs: number;
  bestEpoch: number;
  trainSeconds: number;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  macroAuroc: number;
  /** counts[true][pred] on the held-out beats. */
  confusion: number[][];
}

/** Standardises train and test with the training set's channel statistics. */
export function standardizeBeats(beats: StudyBeats): { train: LabeledDataset; test: StudyTestSet } {
  const { mean, std } = channelStats(beats.train.x, 1);
  return {
    train: { ...beats.train, x: standardize(beats.train.x, mean, std) },
    test: { ...beats.test, x: standardize(beats.test.x, mean, std) },
  };
}

/** Trains `arch` on standardised beats with balanced class weights (validation: 15%, by record when grouped) and evaluates it on `test`. */
export async function trainClassifier(arch: 'ecg-lstm' | 'ecg-cnn', train: LabeledDataset, test: LabeledDataset, s: ClassifierSettings): Promise<TrainedClassifier> {
  const k = train.classNames.length;
  const model = buildModel(arch, { inputShape: train.shape.slice(1), numClasses: k, seed: s.seed });
  const t0 = performance.now();
  const res = await fit(model, train, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    seed: s.seed,
    classWeights: 'balanced',
    validation: { fraction: 0.15 },
    earlyStopping: { patience: s.patience ?? Math.max(2, Math.ceil(s.epochs / 3)), monitor: 'valMacroF1' },
    onProgress: s.onProgress ? (e) => s.onProgress!({ ...e, task: `train:${arch}` }) : undefined,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const logits = predictLogits(model, test.x, test.shape);
  const r = classificationReport(test.y, argmaxRows(logits, k), test.classNames, softmaxRows(logits, k));
  return {
    model, arch, epochs: res.history.length, bestEpoch: res.bestEpoch, trainSeconds,
    accuracy: r.accuracy, balancedAccuracy: r.balancedAccuracy, macroF1: r.macroF1, macroAuroc: r.macroAuroc ?? NaN, confusion: r.confusion,
  };
}

/** Up to `count` held-out beat indices, round-robin over classes (each class in test order), sorted. */
export function stratifiedIndices(y: ArrayLike<number>, numClasses: number, count: number): number[] {
  const byClass = Array.from({ length: numClasses }, () => [] as number[]);
  for (let i = 0; i < y.length; i++) byClass[y[i]]?.push(i);
  const out: number[] = [];
  for (let r = 0; out.length < count; r++) {
    let added = false;
    for (const list of byClass) {
      if (r < list.length && out.length < count) {
        out.push(list[r]);
        added = true;
      }
    }
    if (!added) break;
  }
  return out.sort((a, b) => a - b);
}
