/**
 * The ECG beat-classifier pipeline behind `medlens train ecg` and `medlens demo`: load beats
 * (MIT-BIH from disk or synthetic), hold out a test part by record, standardise with training
 * statistics, build a zoo model, train with validation by record, evaluate on the held-out part.
 */
import type { tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { LabeledDataset } from '../data/types.js';
import type { ProgressCallback } from '../progress.js';
import { capEvenlyPerKey, splitByGroup, subsetDataset } from '../data/mitbih-split.js';
import { loadMitbihBeats } from '../node/data.js';
import { generateEcgBeats } from '../data/synthetic/index.js';
import { buildModel, archInfo } from '../models/zoo.js';
import type { ModelArch } from '../models/types.js';
import { createMetadata, type ModelMetadata } from '../models/metadata.js';
import { hashDataset } from '../models/hash.js';
import { fit, type FitResult } from '../train/fit.js';
import { appendRrChannels, channelStats, selectClasses, standardize } from '../train/preprocess.js';
import { predictLogits, softmaxRows } from '../train/predict.js';
import { argmaxRows, classificationReport, type ClassificationReport } from '../train/metrics.js';
import type { CheckpointStore } from '../train/checkpoint.js';

/** Settings of one ECG training run. */
export interface EcgRunOptions {
  /** MIT-BIH folder; when absent, synthetic beats are generated. */
  data?: string;
  records?: string[];
  /** Records held out for testing (default: a seeded record-level split of `testFraction`). */
  testRecords?: string[];
  testFraction: number;
  valFraction: number;
  lead?: string;
  /** Synthetic: number of training beats (a separate set of n/4 is generated for testing). */
  n: number;
  /** Sampling rate of the beat windows (MIT-BIH is resampled to it). */
  fs: number;
  /** Window in seconds before and after the R peak. */
  before: number;
  after: number;
  classes?: string[];
  maxPerClassPerRecord?: number;
  /** MIT-BIH: add prev/next RR over the record's mean RR as two input channels (default true). */
  rrFeatures?: boolean;
  arch: ModelArch;
  depth?: number;
  width?: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  classWeights: 'balanced' | 'none';
  patience?: number;
  checkpoints?: CheckpointStore;
  resume?: boolean;
  onProgress?: ProgressCallback;
  log: (line: string) => void;
}

/** Everything a run produces. */
export interface EcgRunResult {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
  fit: FitResult;
  /** Standardised held-out beats and the model's logits on them. */
  test: LabeledDataset & { waves?: Uint8Array };
  testLogits: Float32Array;
  testGroups?: string[];
  evaluation: ClassificationReport;
  /** Raw (unstandardised) held-out beats, for plotting. */
  testRaw: Float32Array;
}

function loadBeats(o: EcgRunOptions): { train: LabeledDataset; test: LabeledDataset & { waves?: Uint8Array }; testGroups?: string[]; source: string } {
  if (!o.data) {
    const opts = { fs: o.fs, before: Math.round(o.before * o.fs), after: Math.round(o.after * o.fs) };
    const train = generateEcgBeats({ n: o.n, seed: o.seed, ...opts });
    const test = generateEcgBeats({ n: Math.max(30, Math.round(o.n / 4)), seed: o.seed + 7919, ...opts });
    return { train, test, source: `synthetic ECGSYN-style beats (seed ${o.seed})` };
  }
  // the held-out records keep all their beats (natural class mix); only training records are capped
  let all = loadMitbihBeats(o.data, {
    records: o.records,
    lead: o.lead,
    resampleTo: o.fs,
    before: o.before,
    after: o.after,
    normalize: 'zscore',
    onProgress: o.onProgress,
  });
  if (o.rrFeatures !== false) Object.assign(all, appendRrChannels(all.x, all.shape, all.rr, all.groups));
  all = selectClasses(all, o.classes ?? ['N', 'S', 'V', 'F']);
  let held: Set<string>;
  if (o.testRecords?.length) {
    held = new Set(o.testRecords);
    const unknown = o.testRecords.filter((r) => !all.groups!.includes(r));
    if (unknown.length) throw new InvalidInputError('--test-records', `record(s) ${unknown.join(', ')} are not among the loaded records`);
  } else {
    held = new Set(splitByGroup(all, { valFraction: o.testFraction, seed: o.seed }).valGroups);
  }
  const testIdx: number[] = [];
  const trainIdx: number[] = [];
  all.groups!.forEach((g, i) => (held.has(g) ? testIdx : trainIdx).push(i));
  if (!trainIdx.length) throw new InvalidInputError('--test-records', 'holds out every record: nothing left to train on');
  const train = subsetDataset(all, o.maxPerClassPerRecord ? capPerGroupClass(all, trainIdx, o.maxPerClassPerRecord) : trainIdx);
  return { train, test: subsetDataset(all, testIdx), testGroups: [...held].sort(), source: `MIT-BIH ${o.data}` };
}

/** Keeps at most `max` of `indices` per (group, class), evenly spaced in order (as the loader's per-record cap). */
export function capPerGroupClass(ds: LabeledDataset, indices: number[], max: number): number[] {
  return capEvenlyPerKey(indices, (i) => `${ds.groups?.[i] ?? ''}\u0000${ds.y[i]}`, max);
}

/** Runs the whole pipeline; logs one line per stage through `o.log`. */
export async function runEcgTraining(o: EcgRunOptions): Promise<EcgRunResult> {
  const info = archInfo(o.arch);
  if (!info.spatialRanks.includes(1) || info.output !== 'classes') throw new InvalidInputError('--arch', `'${o.arch}' is not an ECG classifier (try ecg-lstm, ecg-gru or ecg-cnn)`);
  const { train, test, testGroups, source } = loadBeats(o);
  const counts = (ds: LabeledDataset) => ds.classNames.map((c, k) => `${c} ${ds.y.filter((v) => v === k).length}`).join(', ');
  o.log(`data: ${source}; ${train.shape[0]} training beats (${counts(train)}), ${test.shape[0]} held-out beats (${counts(test)})${testGroups ? `, held-out records ${testGroups.join(' ')}` : ''}`);
  if (test.shape[0] === 0) throw new InvalidInputError('held-out part', 'is empty: choose other --test-records or a larger --test-fraction');
  const channels = train.shape[train.shape.length - 1];
  const { mean, std } = channelStats(train.x, channels);
  const trainStd = { ...train, x: standardize(train.x, mean, std) };
  const testStd = { ...test, x: standardize(test.x, mean, std) };
  const k = train.classNames.length;
  const buildOptions = { seed: o.seed, ...(o.depth ? { depth: o.depth } : {}), ...(o.width ? { width: o.width } : {}) };
  const model = buildModel(o.arch, { inputShape: train.shape.slice(1), numClasses: k, ...buildOptions });
  const result = await fit(model, trainStd, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    classWeights: o.classWeights === 'balanced' ? 'balanced' : undefined,
    validation: { fraction: o.valFraction },
    earlyStopping: o.patience ? { patience: o.patience, monitor: 'valMacroF1' } : undefined,
    checkpoints: o.checkpoints,
    resume: o.resume,
    onProgress: o.onProgress,
  });
  const testLogits = predictLogits(model, testStd.x, testStd.shape);
  const evaluation = classificationReport(testStd.y, argmaxRows(testLogits, k), testStd.classNames, softmaxRows(testLogits, k));
  const metadata = createMetadata({
    arch: o.arch,
    task: 'ecg-beats',
    classNames: train.classNames,
    inputShape: train.shape.slice(1),
    preprocessing: {
      mean,
      std,
      fs: o.fs,
      window: { before: Math.round(o.before * o.fs), after: Math.round(o.after * o.fs) },
      beatNormalize: o.data ? 'zscore' : 'none',
      ...(o.data ? { lead: o.lead ?? 'MLII' } : {}),
      ...(o.data && o.rrFeatures !== false ? { rrFeatures: 'prev-next-over-record-mean' } : {}),
    },
    trainingDataHash: await hashDataset(train),
    buildOptions,
  });
  return { model, metadata, fit: result, test: testStd, testLogits, testGroups, evaluation, testRaw: test.x };
}
