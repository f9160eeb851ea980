/**
 * Study 2, "Grad-CAM vs depth" (`medlens study gradcam-depth`): does a deeper, more accurate
 * network give better Grad-CAM heatmaps? Synthetic pneumothorax-like chest X-rays with exact
 * lesion masks (and a variant with a label-correlated text marker) train VGG / ResNet /
 * DenseNet / ViT nets; each is scored on accuracy/AUROC, and its CAM maps on localisation,
 * deletion faithfulness, confounder relevance and the randomisation sanity check. Spearman
 * correlations of Grad-CAM quality with depth and with accuracy decide, from the numbers,
 * whether "deeper is not more reliable" holds. Optionally a plausibility check on real X-rays.
 * Deterministic from the seed (timings aside).
 */
import { generateChestXrays } from '../data/synthetic/cxr.js';
import { deriveSeed } from '../data/synthetic/common.js';
import { zscoreRows } from '../train/preprocess.js';
import type { ProgressCallback } from '../progress.js';
import { rankCorrelation } from './common.js';
import {
  checkSettings, presetSettings, type ArchResult, type GradcamDepthOptions, type GradcamDepthResults, type GradcamDepthSettings,
  type MethodScores, type QualityCorrelation, type StudyVariant, type Verdict,
} from './gradcam-depth-config.js';
import { runArch, type OverlayExample, type VariantData } from './gradcam-depth-models.js';
import { runHannoverCheck } from './gradcam-depth-hannover.js';

/** A finished run: settings, JSON-ready results, and overlay examples for the figures. */
export interface GradcamDepthRun {
  settings: GradcamDepthSettings;
  results: GradcamDepthResults;
  examples: OverlayExample[];
}

/** Grad-CAM quality measures correlated with depth and accuracy (all higher = better). */
export const QUALITY_MEASURES = ['auc', 'relevanceRankAccuracy', 'relevanceMassAccuracy', 'pointingGame', 'iouMean'] as const;
/** The measure the verdict rests on: threshold-free, chance = 0.5. */
export const PRIMARY_MEASURE = 'auc';
/** One-sided significance level for "deeper is more reliable". */
const ALPHA = 0.05;

/**
 * Train / validation / test sets of one variant, each from its own derived seed, every image
 * z-scored on its own (as the real X-rays are): this removes the generator's random gain and
 * offset, which kept ResNet-50 at chance for ~3 epochs longer and the ViT from fitting even 64
 * training images. Masks still mark exactly the pixels the lesion changes before normalisation.
 */
export function variantData(variant: StudyVariant, s: GradcamDepthSettings, seed: number, onProgress?: ProgressCallback): VariantData {
  const confounder = variant === 'confounder' ? { kind: 'text-marker' as const, correlation: s.confounderCorrelation } : undefined;
  const base = deriveSeed(seed, variant === 'clean' ? 1 : 2);
  const gen = (n: number, k: number) => {
    const ds = generateChestXrays({ n, size: s.size, seed: deriveSeed(base, k), lesionRate: 0.5, confounder, onProgress });
    return { ...ds, x: zscoreRows(ds.x, s.size * s.size) };
  };
  return { variant, train: gen(s.nTrain, 1), val: gen(s.nVal, 2), test: gen(s.nTest, 3) };
}

function gradcamOf(r: ArchResult): MethodScores {
  return r.methods.find((m) => m.method === 'GradCAM') as MethodScores;
}

/** Rank correlations of each Grad-CAM quality measure with depth and with accuracy, over architectures. */
export function qualityCorrelations(models: ArchResult[], seed: number): QualityCorrelation[] {
  const depth = models.map((m) => m.depth), acc = models.map((m) => m.accuracy);
  return QUALITY_MEASURES.map((measure) => {
    const q = models.map((m) => gradcamOf(m)[measure] as number);
    return { measure, withDepth: rankCorrelation(depth, q, seed), withAccuracy: rankCorrelation(acc, q, seed) };
  });
}

/** Test AUROC from which a model counts as having learned the lesion (the verdict needs 3 such models). */
export const LEARNED_AUROC = 0.75;

/**
 * The verdict on "deeper is not more reliable": it holds unless Grad-CAM's primary quality
 * rises with depth with a significant one-sided exact permutation test (p < 0.05). It is
 * flagged inconclusive when fewer than 3 of the `aurocs` (one per model) reach LEARNED_AUROC.
 */
export function depthVerdict(corr: QualityCorrelation[], aurocs: number[]): Verdict {
  const c = corr.find((q) => q.measure === PRIMARY_MEASURE) as QualityCorrelation;
  const { rho, pPositive, n } = c.withDepth;
  const claim = 'deeper is not more reliable';
  const learnedModels = aurocs.filter((a) => a >= LEARNED_AUROC).length;
  const conclusive = learnedModels >= 3 && Number.isFinite(rho);
  const caveat = conclusive ? '' : ` INCONCLUSIVE: only ${learnedModels} of ${aurocs.length} models reached test AUROC ${LEARNED_AUROC}, so the heatmaps of near-chance models say little about depth; train longer (more images or epochs).`;
  const base = { claim, conclusive, learnedModels, primaryMeasure: PRIMARY_MEASURE, rho, pPositive };
  if (!Number.isFinite(rho)) {
    return { ...base, holds: true, explanation: `the correlation is undefined (${n} architectures with finite values; it needs 3 or more and non-constant values), so the numbers show no gain in Grad-CAM localisation with depth.${caveat}` };
  }
  const significant = rho > 0 && pPositive < ALPHA;
  const f = (v: number) => v.toFixed(2);
  const explanation = significant
    ? `Grad-CAM localisation ${PRIMARY_MEASURE} rises with depth (Spearman rho = ${f(rho)}, one-sided permutation p = ${f(pPositive)} < ${ALPHA}, ${n} architectures): deeper nets gave better heatmaps in this run.`
    : `Grad-CAM localisation ${PRIMARY_MEASURE} does not rise significantly with depth (Spearman rho = ${f(rho)}, one-sided permutation p = ${f(pPositive)}, ${n} architectures)${rho < 0 ? '; it tends to fall' : ''}.`;
  return { ...base, holds: !significant, explanation: explanation + caveat };
}

/** Merges the preset of the mode with overrides and checks the result. */
export function resolveSettings(quick: boolean, overrides: Partial<GradcamDepthSettings> = {}): GradcamDepthSettings {
  const s = { ...presetSettings(quick), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as GradcamDepthSettings;
  checkSettings(s);
  return s;
}

/** Runs the study (see file comment). */
export async function runGradcamDepthStudy(o: GradcamDepthOptions): Promise<GradcamDepthRun> {
  const settings = resolveSettings(o.quick ?? false, o.overrides);
  const models: ArchResult[] = [];
  const examples: OverlayExample[] = [];
  const total = settings.variants.length * settings.archs.length;
  for (const variant of settings.variants) {
    const data = variantData(variant, settings, o.seed);
    for (const [k, arch] of settings.archs.entries()) {
      const run = await runArch(arch, data, settings, deriveSeed(o.seed, 100 + k), o.onProgress);
      models.push(run.result);
      examples.push(...run.examples);
      o.onProgress?.({ task: 'study:gradcam-depth', done: models.length, total, info: { arch, variant } });
    }
  }
  const correlations: Record<string, QualityCorrelation[]> = {};
  for (const variant of settings.variants) correlations[variant] = qualityCorrelations(models.filter((m) => m.variant === variant), o.seed);
  const verdictVariant = settings.variants.includes('clean') ? 'clean' : settings.variants[0];
  const verdict = depthVerdict(correlations[verdictVariant], models.filter((m) => m.variant === verdictVariant).map((m) => m.auroc));
  const results: GradcamDepthResults = { models, correlations, verdict };
  if (o.hannover) results.hannover = await runHannoverCheck(o.hannover, settings, o.seed, o.quick ? 2 : 12, o.onProgress);
  return { settings, results, examples };
}
