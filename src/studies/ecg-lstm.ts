/**
 * Study 1, "explaining an ECG LSTM": train the ECG LSTM (and a 1D-CNN for Grad-CAM) on synthetic
 * beats whose relevant samples are known exactly and, when given, on real MIT-BIH DS1 beats;
 * explain held-out beats with gradient, perturbation, learned-mask and CAM methods; score every
 * method by deletion (AUC and score drop at a fixed deleted fraction, with one replacement for all
 * methods), localisation against the true waves, per-wave relevance, the parameter randomisation
 * sanity check and time per explanation; and decide from the numbers whether "the learned mask
 * gives the largest score drop and the most plausible maps" holds. Deterministic from the seed
 * (timings aside). Browser-safe: the Node adapter (ecg-lstm-node.ts) loads real data and writes files.
 */
import { EcgInfillModel } from '../explain/infill/autoencoder.js';
import { camLayerName } from '../models/zoo.js';
import type { ProgressCallback } from '../progress.js';
import { subsetDataset } from '../data/mitbih-split.js';
import { standardizeBeats, stratifiedIndices, syntheticStudyBeats, trainClassifier, type StudyBeats, type StudyTestSet, type TrainedClassifier } from './ecg-lstm-data.js';
import { methodExplainFn, runMethod, studyMethods, type MethodSettings } from './ecg-lstm-methods.js';
import { deletionScores, localisationScores, randomisationScores, waveFractions, type BeatBatch, type DeletionScores, type LocalisationScores } from './ecg-lstm-metrics.js';
import { competenceCheck, MASK_METHOD, studyVerdict, type StudyVerdict } from './ecg-lstm-verdict.js';

/** Sizes and effort of a run. */
export interface EcgLstmSettings {
  fs: number;
  /** Window around the R peak, seconds. */
  before: number;
  after: number;
  /** Synthetic training / held-out beats. */
  nTrain: number;
  nTest: number;
  /** Real data (MIT-BIH, loaded by the Node adapter): at most this many beats per class per record, of these AAMI classes. */
  maxPerClassPerRecord: number;
  realClasses: string[];
  /** Classifier training: most epochs, batch, Adam learning rate, early-stopping patience on validation macro-F1 (best weights restored). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  /** Held-out beats explained per dataset, and the subset used for the randomisation test. */
  nExplain: number;
  nSanity: number;
  /** Training of the generative (autoencoder) infill: steps, windows per step, learning rate, gradient-norm clip; held-out windows that score it. */
  infillSteps: number;
  infillBatchSize: number;
  infillLearningRate: number;
  infillClipNorm: number;
  infillEvalWindows: number;
  /** A classifier below this held-out balanced accuracy (or an infill worse than linear interpolation) gets a warning in the results. */
  competenceThreshold: number;
  /** Deletion-curve intervals; the drop is read at `dropFraction` (must be a multiple of 1 / steps). */
  deletionSteps: number;
  dropFraction: number;
  methods: Omit<MethodSettings, 'seed'>;
}

/**
 * Settings of --quick (CI: well under a minute on 2 cores, models not expected to be competent)
 * and of the full run (about 2-3 min on 2 cores with the native backend). The full budget is what
 * the models need, found by sweeps over seeds 0-4: the synthetic LSTM sits at chance between N and
 * S for 5-30 epochs before it finds the P wave, so it gets 4000 beats, up to 60 epochs and a
 * patience of 12 at Adam 1e-3 (3e-3 diverged on 2 of 5 seeds). MIT-BIH gets up to 150 beats per
 * class per record and N/S/V only: 373 of DS1's 415 AAMI F beats are in record 208, so a split by
 * record leaves either the training or the held-out side almost without F.
 */
export const ECG_LSTM_SETTINGS: { quick: EcgLstmSettings; full: EcgLstmSettings } = {
  quick: {
    fs: 120, before: 0.3, after: 0.45, nTrain: 240, nTest: 60, maxPerClassPerRecord: 15, realClasses: ['N', 'S', 'V'],
    epochs: 2, batchSize: 32, learningRate: 1e-3, patience: 2,
    nExplain: 6, nSanity: 3, infillSteps: 20, infillBatchSize: 32, infillLearningRate: 2e-3, infillClipNorm: 1, infillEvalWindows: 64,
    competenceThreshold: 0.8, deletionSteps: 20, dropFraction: 0.1,
    methods: { igSteps: 8, smoothGradSamples: 4, occlusionWindow: 9, occlusionStride: 9, maskSteps: 20, internalBatchSize: 64 },
  },
  full: {
    fs: 100, before: 0.3, after: 0.45, nTrain: 4000, nTest: 600, maxPerClassPerRecord: 150, realClasses: ['N', 'S', 'V'],
    epochs: 60, batchSize: 32, learningRate: 1e-3, patience: 12,
    nExplain: 60, nSanity: 8, infillSteps: 800, infillBatchSize: 64, infillLearningRate: 2e-3, infillClipNorm: 1, infillEvalWindows: 256,
    competenceThreshold: 0.8, deletionSteps: 20, dropFraction: 0.1,
    methods: { igSteps: 16, smoothGradSamples: 8, occlusionWindow: 7, occlusionStride: 3, maskSteps: 60, internalBatchSize: 128 },
  },
};

/** Replacement of deleted samples in the deletion metric, the same for every method (see the report). */
export const DELETION_REPLACEMENT = 'road' as const;

/** Options of `runEcgLstmStudy`. */
export interface EcgLstmStudyOptions {
  seed: number;
  quick?: boolean;
  /** Overrides of the mode's settings. */
  settings?: Partial<EcgLstmSettings>;
  /** Real beats (MIT-BIH) with delineated waves, prepared by the Node adapter; absent: synthetic only. */
  real?: StudyBeats;
  /** Why the real part did not run (shown in the report). */
  realSkipped?: string;
  onProgress?: ProgressCallback;
  log?: (line: string) => void;
}

/** Results of one method on one dataset. */
export interface MethodResult {
  name: string;
  model: 'lstm' | 'cnn';
  secondsPerBeat: number;
  deletion: DeletionScores;
  /** Against the exact relevance (synthetic) or the union of delineated P/QRS/T windows (real). */
  localisation: LocalisationScores;
  localisationMask: 'exact relevance' | 'delineated P/QRS/T';
  /** Mean fraction of |relevance| outside any wave, on P, QRS and T. */
  waveFractions: { outside: number; P: number; QRS: number; T: number };
  randomisation: { meanSimilarity: number; layers: string[]; perLayer: number[]; beats: number };
}

/** A few explained beats for the trace figures. */
export interface TraceSample {
  index: number;
  label: string;
  signal: number[];
  waves: number[];
  /** Attribution per method name. */
  maps: Record<string, number[]>;
}

/** Results on one dataset. */
export interface DatasetResult {
  name: 'synthetic' | 'mitbih';
  source: string;
  classNames: string[];
  trainBeats: number;
  testBeats: number;
  testGroups?: string[];
  fs: number;
  models: Record<'lstm' | 'cnn', Omit<TrainedClassifier, 'model'>>;
  infill: { steps: number; losses: { first: number; last50Mean: number; max: number }; mse: { model: number; zeros: number; linear: number } };
  /** Failed competence checks (empty when every model passed); also in the verdict statements. */
  warnings: string[];
  explainedBeats: number;
  methods: MethodResult[];
  traces: TraceSample[];
  verdict: StudyVerdict;
  /** The same decision among the LSTM's methods only (Grad-CAM explains another model). */
  verdictLstmOnly: StudyVerdict;
}

/** The whole study's results (results.json). */
export interface EcgLstmStudyResult {
  study: 'ecg-lstm';
  seed: number;
  mode: 'quick' | 'full';
  settings: EcgLstmSettings;
  deletionReplacement: string;
  datasets: DatasetResult[];
  realSkipped?: string;
  totalSeconds: number;
}

/** Runs the study; see the file comment. */
export async function runEcgLstmStudy(o: EcgLstmStudyOptions): Promise<EcgLstmStudyResult> {
  const t0 = performance.now();
  const mode = o.quick ? 'quick' : 'full';
  const s: EcgLstmSettings = { ...ECG_LSTM_SETTINGS[mode], ...(o.settings ?? {}) };
  const log = o.log ?? (() => {});
  const sets: StudyBeats[] = [syntheticStudyBeats(o.seed, s.nTrain, s.nTest, s.fs, s.before, s.after)];
  if (o.real) sets.push(o.real);
  const datasets: DatasetResult[] = [];
  for (const beats of sets) datasets.push(await runDataset(beats, s, o.seed, log, o.onProgress));
  return {
    study: 'ecg-lstm', seed: o.seed, mode, settings: s, deletionReplacement: DELETION_REPLACEMENT, datasets,
    ...(o.realSkipped ? { realSkipped: o.realSkipped } : {}),
    totalSeconds: (performance.now() - t0) / 1000,
  };
}

async function runDataset(beats: StudyBeats, s: EcgLstmSettings, seed: number, log: (l: string) => void, onProgress?: ProgressCallback): Promise<DatasetResult> {
  const { train, test } = standardizeBeats(beats);
  const k = train.classNames.length;
  const fs = test.fs ?? s.fs;
  log(`[${beats.name}] ${train.shape[0]} training beats, ${test.shape[0]} held-out beats, T = ${train.shape[1]}`);
  const cls = { epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, patience: s.patience, seed, onProgress };
  const lstm = await trainClassifier('ecg-lstm', train, test, cls);
  const cnn = await trainClassifier('ecg-cnn', train, test, cls);
  for (const m of [lstm, cnn]) {
    log(`[${beats.name}] ${m.arch}: ${m.epochs} epochs (best ${m.bestEpoch}) in ${m.trainSeconds.toFixed(0)} s, held-out balanced accuracy ${m.balancedAccuracy.toFixed(3)}, macro F1 ${m.macroF1.toFixed(3)}`);
  }

  const T = train.shape[1];
  const window = Math.min(64, T);
  const gap: [number, number] = [Math.max(1, Math.round(0.03 * fs)), Math.min(window - 1, Math.round(0.2 * fs))];
  const infill = EcgInfillModel.create({ seed });
  const { losses } = await infill.train({ x: train.x, shape: train.shape }, {
    steps: s.infillSteps, batchSize: s.infillBatchSize, learningRate: s.infillLearningRate, clipNorm: s.infillClipNorm, window, gap, seed, onProgress,
  });
  const infillLosses = { first: losses[0], last50Mean: mean(losses.slice(-50)), max: Math.max(...losses) };
  const infillMse = infill.evaluate({ x: test.x, shape: test.shape }, { window, gap, seed, count: s.infillEvalWindows });
  log(`[${beats.name}] infill MSE in holes: model ${infillMse.model.toFixed(3)}, zeros ${infillMse.zeros.toFixed(3)}, linear ${infillMse.linear.toFixed(3)} (loss ${infillLosses.first.toFixed(2)} -> ${infillLosses.last50Mean.toFixed(2)}, max ${infillLosses.max.toFixed(2)})`);
  const weak = competenceCheck({ lstm, cnn }, infillMse, s.competenceThreshold, k);
  for (const w of weak) log(`[${beats.name}] ${w.message}`);

  const idx = stratifiedIndices(test.y, k, s.nExplain);
  const sub = subsetDataset(test, idx) as StudyTestSet;
  const waves = pick(test.waves, idx, T);
  const mask = test.relevance ? pick(test.relevance, idx, T) : Uint8Array.from(waves, (w) => (w > 0 ? 1 : 0));
  const batch: BeatBatch = { x: sub.x, shape: sub.shape, y: sub.y };
  const nSanity = Math.min(s.nSanity, idx.length);
  const sanityBatch: BeatBatch = { x: sub.x.slice(0, nSanity * T), shape: [nSanity, T, 1], y: sub.y.slice(0, nSanity) };

  const models = { lstm: lstm.model, cnn: cnn.model };
  const specs = studyMethods({ ...s.methods, seed }, infill.infill, camLayerName('ecg-cnn') ?? undefined);
  const methods: MethodResult[] = [];
  const maps: Record<string, Float32Array> = {};
  for (const spec of specs) {
    const model = models[spec.model];
    const { values, secondsPerBeat } = await runMethod(spec, model, batch.x, batch.shape, batch.y);
    maps[spec.name] = values;
    const deletion = await deletionScores(model, batch, values, { baseline: DELETION_REPLACEMENT, steps: s.deletionSteps, dropFraction: s.dropFraction, seed, internalBatchSize: s.methods.internalBatchSize });
    const localisation = await localisationScores(batch, values, mask);
    const [outside, P, QRS, Tw] = waveFractions(values, waves, batch.shape[0]);
    const rand = await randomisationScores(model, sanityBatch, values.slice(0, sanityBatch.shape[0] * T), methodExplainFn(spec), seed);
    methods.push({
      name: spec.name, model: spec.model, secondsPerBeat, deletion, localisation,
      localisationMask: test.relevance ? 'exact relevance' : 'delineated P/QRS/T',
      waveFractions: { outside, P, QRS, T: Tw },
      randomisation: { ...rand, beats: sanityBatch.shape[0] },
    });
    log(`[${beats.name}] ${spec.name}: deletion AUC ${deletion.auc.toFixed(3)}, drop@${s.dropFraction} ${deletion.scoreDrop.toFixed(3)}, mass acc ${localisation.relevanceMassAccuracy.toFixed(3)}, ${(secondsPerBeat * 1000).toFixed(0)} ms/beat`);
  }
  infill.dispose();
  lstm.model.dispose();
  cnn.model.dispose();
  const traces = traceSamples(sub, waves, maps, k);
  const truth = test.relevance ? 'exact' : 'delineated';
  const { model: _l, ...lstmInfo } = lstm;
  const { model: _c, ...cnnInfo } = cnn;
  return {
    name: beats.name, source: beats.source, classNames: train.classNames, trainBeats: train.shape[0], testBeats: test.shape[0],
    ...(beats.testGroups ? { testGroups: beats.testGroups } : {}), fs,
    models: { lstm: lstmInfo, cnn: cnnInfo },
    infill: { steps: s.infillSteps, losses: infillLosses, mse: infillMse },
    warnings: weak.map((w) => w.message),
    explainedBeats: idx.length, methods, traces,
    verdict: studyVerdict(methods, truth, MASK_METHOD, weak),
    verdictLstmOnly: studyVerdict(methods.filter((m) => m.model === 'lstm'), truth, MASK_METHOD, weak.filter((w) => w.model !== 'cnn')),
  };
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Rows `idx` of a flat [N, T] array. */
function pick(values: Uint8Array, idx: number[], T: number): Uint8Array {
  const out = new Uint8Array(idx.length * T);
  idx.forEach((i, r) => out.set(values.subarray(i * T, (i + 1) * T), r * T));
  return out;
}

/** One explained beat per class (the first of each) with every method's map. */
function traceSamples(sub: StudyTestSet, waves: Uint8Array, maps: Record<string, Float32Array>, k: number): TraceSample[] {
  const T = sub.shape[1];
  const out: TraceSample[] = [];
  for (let c = 0; c < k; c++) {
    const i = Array.from(sub.y).indexOf(c);
    if (i < 0) continue;
    const row = <A extends ArrayLike<number>>(a: A) => Array.from(a).slice(i * T, (i + 1) * T);
    out.push({
      index: i, label: sub.classNames[c], signal: row(sub.x), waves: row(waves),
      maps: Object.fromEntries(Object.entries(maps).map(([name, v]) => [name, row(v)])),
    });
  }
  return out;
}
