/**
 * Settings and result types of the Grad-CAM-vs-depth study. Two presets: `quick` (CI: 32 px,
 * three small nets, two epochs on 48 images, under a minute on 2 cores) and `full` (64 px, the
 * eight architectures of the study at width 0.25, 5 epochs on 2560 images, the last at a tenth
 * of the learning rate: enough for 7 of the 8 nets to learn the clean lesion with seed 0; with
 * 320 images and 4 epochs ResNet-50 and the ViT stayed at chance). Any field can be overridden.
 */
import { InvalidInputError } from '../errors.js';
import type { ModelArch } from '../models/types.js';
import type { ProgressCallback } from '../progress.js';
import type { RankCorrelation } from './common.js';

/** Data variants: clean lesions, or lesions with a label-correlated text marker (shortcut). */
export type StudyVariant = 'clean' | 'confounder';

/** Everything that determines a run. */
export interface GradcamDepthSettings {
  archs: ModelArch[];
  /** Image side in pixels. */
  size: number;
  /** Width multiplier of every net (channels, ViT embedding). */
  width: number;
  /** ViT transformer blocks and patch size. */
  vitDepth: number;
  vitPatch: number;
  nTrain: number;
  nVal: number;
  nTest: number;
  epochs: number;
  batchSize: number;
  /** Adam learning rate; the last `decayEpochs` epochs use a tenth of it (step decay). */
  learningRate: number;
  /** Final epochs at learningRate / 10 (Adam's moments carry over); at most epochs - 1 are used. */
  decayEpochs: number;
  /** Test positives explained per model. */
  explainCount: number;
  /** Intervals of the deletion curve. */
  deletionSteps: number;
  /** Layers randomised (top down, cascading) in the sanity check. */
  randomisationLayers: number;
  /** Thresholds (of the max-scaled map) at which IoU and Dice are reported. */
  thresholds: number[];
  variants: StudyVariant[];
  /** Phi correlation between the text marker and the label in the confounder variant. */
  confounderCorrelation: number;
  /**
   * Pixels by which the marker mask is dilated (square neighbourhood, lesion pixels excluded)
   * before relevance on it is measured: the marker is drawn in 1-pixel strokes, while CAM maps
   * are upsampled from 2x2 to 8x8 grids, so relevance "on the marker" lands around its strokes.
   */
  confounderDilation: number;
  /** Overlay figures per architecture. */
  figuresPerArch: number;
}

/** Preset settings of the two modes. */
export function presetSettings(quick: boolean): GradcamDepthSettings {
  return quick
    ? {
        archs: ['vgg11', 'resnet18', 'vit-tiny'], size: 32, width: 0.25, vitDepth: 2, vitPatch: 8,
        nTrain: 48, nVal: 16, nTest: 24, epochs: 2, batchSize: 16, learningRate: 1e-3, decayEpochs: 1, explainCount: 4,
        deletionSteps: 8, randomisationLayers: 2, thresholds: [0.25, 0.5, 0.75], variants: ['clean', 'confounder'],
        confounderCorrelation: 0.8, confounderDilation: 2, figuresPerArch: 2,
      }
    : {
        archs: ['vgg11', 'vgg16', 'vgg19', 'resnet18', 'resnet34', 'resnet50', 'densenet121', 'vit-small'], size: 64, width: 0.25,
        vitDepth: 6, vitPatch: 8, nTrain: 2560, nVal: 64, nTest: 96, epochs: 5, batchSize: 16, learningRate: 1e-3, decayEpochs: 1,
        explainCount: 16, deletionSteps: 16, randomisationLayers: 5, thresholds: [0.25, 0.5, 0.75],
        variants: ['clean', 'confounder'], confounderCorrelation: 0.8, confounderDilation: 3, figuresPerArch: 3,
      };
}

/** Options of `runGradcamDepthStudy`: a seed, the mode, overrides and the real-data part. */
export interface GradcamDepthOptions {
  seed: number;
  quick?: boolean;
  overrides?: Partial<GradcamDepthSettings>;
  /** Loaded Hannover images (optional: the real-data plausibility check runs only with them). */
  hannover?: HannoverInput;
  onProgress?: ProgressCallback;
}

/** Real chest X-rays with lung masks and a binary label, already decoded (grey, any size). */
export interface HannoverInput {
  ids: string[];
  /** Per image: grey values [H, W] (row-major) with its size. */
  images: { data: Float32Array; height: number; width: number }[];
  /** Per image: 1 inside the lung, same size as the image. */
  lungMasks: Uint8Array[];
  labels: Int32Array;
  labelName: string;
  classNames: [string, string];
}

/** Localisation and faithfulness numbers of one method on one model (means over explained samples). */
export interface MethodScores {
  method: string;
  pointingGame: number;
  relevanceMassAccuracy: number;
  relevanceRankAccuracy: number;
  auc: number;
  /** IoU and Dice per threshold of `settings.thresholds`, and their means. */
  iou: number[];
  dice: number[];
  iouMean: number;
  diceMean: number;
  /** Deletion AUC of the softmax probability (lower = more faithful); NaN when not computed. */
  deletionAuc: number;
  /** Fraction of positive relevance on the dilated confounder, over samples carrying it (confounder variant). */
  confounderRelevance: number;
  /** Samples the numbers average over. */
  samples: number;
  /** Seconds per explained sample. */
  secondsPerSample: number;
}

/** Sanity check: similarity of Grad-CAM maps after cascading randomisation, top layer first. */
export interface RandomisationScores {
  layers: string[];
  /** Mean Spearman similarity to the trained model's map after each cascading step. */
  similarity: number[];
  /** After the last step (all listed layers randomised). */
  finalSimilarity: number;
}

/** One architecture trained on one variant. */
export interface ArchResult {
  arch: ModelArch;
  variant: StudyVariant;
  /** Conv and dense kernels in the model (the study's depth). */
  depth: number;
  params: number;
  camLayer: string;
  /** Spatial grid of the CAM layer. */
  camGrid: number[];
  accuracy: number;
  auroc: number;
  trainSeconds: number;
  methods: MethodScores[];
  randomisation: RandomisationScores;
  /** Mean area fraction of the dilated confounder over explained samples carrying it: what a uniform map puts on it (NaN without). */
  confounderAreaFraction: number;
}

/** Rank correlations of one quality measure with depth and with accuracy. */
export interface QualityCorrelation {
  measure: string;
  withDepth: RankCorrelation;
  withAccuracy: RankCorrelation;
}

/** The real-data plausibility check. */
export interface HannoverResult {
  images: number;
  label: string;
  positives: number;
  arch: ModelArch;
  size: number;
  heldOut: number;
  heldOutAccuracy: number;
  heldOutAuroc: number;
  /** Mean fraction of positive Grad-CAM relevance inside the lung mask. */
  relevanceInLungs: number;
  /** Mean lung-area fraction (what a uniform map would score). */
  lungAreaFraction: number;
  perImage: { id: string; relevanceInLungs: number; lungAreaFraction: number }[];
  note: string;
}

/** The verdict on "deeper is not more reliable", computed from the numbers. */
export interface Verdict {
  claim: string;
  holds: boolean;
  /** False when fewer than 3 models beat chance (test AUROC >= 0.75): their maps then say little about depth. */
  conclusive: boolean;
  /** Models with test AUROC >= 0.75. */
  learnedModels: number;
  primaryMeasure: string;
  rho: number;
  pPositive: number;
  explanation: string;
}

/** Everything the study computes. */
export interface GradcamDepthResults {
  models: ArchResult[];
  /** Per variant: correlations of Grad-CAM quality measures with depth and accuracy. */
  correlations: Record<string, QualityCorrelation[]>;
  verdict: Verdict;
  hannover?: HannoverResult;
}

/** Checks merged settings (user overrides come from the CLI). */
export function checkSettings(s: GradcamDepthSettings): void {
  const int = (name: keyof GradcamDepthSettings, min: number) => {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min) throw new InvalidInputError(name, `must be an integer >= ${min}, got ${String(v)}`);
  };
  (['nTrain', 'nVal', 'nTest', 'epochs', 'batchSize', 'explainCount', 'deletionSteps', 'randomisationLayers', 'vitDepth', 'vitPatch'] as const).forEach((k) => int(k, 1));
  int('size', 16);
  int('figuresPerArch', 0);
  int('confounderDilation', 0);
  int('decayEpochs', 0);
  if (s.nTest < 4) throw new InvalidInputError('nTest', `needs at least 4 test images, got ${s.nTest}`);
  if (!(s.width > 0)) throw new InvalidInputError('width', `must be positive, got ${s.width}`);
  if (s.archs.length === 0) throw new InvalidInputError('archs', 'needs at least one architecture');
  if (s.archs.some((a) => a.startsWith('vit')) && s.size % s.vitPatch !== 0) throw new InvalidInputError('vitPatch', `${s.vitPatch} must divide the image size ${s.size}`);
  if (s.thresholds.some((t) => !(t >= 0 && t <= 1))) throw new InvalidInputError('thresholds', 'must lie in [0, 1]');
}
