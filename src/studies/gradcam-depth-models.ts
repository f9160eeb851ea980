/**
 * One architecture of the Grad-CAM-vs-depth study: build, train, test (accuracy, AUROC), explain
 * test positives with the CAM methods (plus attention rollout for ViTs) and score every map.
 */
import { tf, type tfl } from '../backend/tf.js';
import type { ChestXrayDataset } from '../data/synthetic/cxr.js';
import { explain } from '../explain/explain.js';
import type { Attribution } from '../explain/attribution.js';
import { buildModel, camLayerName, trainableParamCount } from '../models/zoo.js';
import type { ModelArch } from '../models/types.js';
import type { ProgressCallback } from '../progress.js';
import { fit } from '../train/fit.js';
import { MemoryCheckpointStore } from '../train/checkpoint.js';
import { accuracy, argmaxRows, binaryAuroc } from '../train/metrics.js';
import { predictLogits, softmaxRows } from '../train/predict.js';
import { timed } from './common.js';
import type { ArchResult, GradcamDepthSettings, MethodScores, StudyVariant } from './gradcam-depth-config.js';
import { deletionAuc, dilateMasks, localisationScores, randomisationScores, regionRelevance } from './gradcam-depth-metrics.js';

/** A few explained test images kept for the overlay figures (not part of results.json). */
export interface OverlayExample {
  arch: ModelArch;
  variant: StudyVariant;
  method: string;
  size: number;
  image: Float32Array;
  /** Map scaled to [0, 1]. */
  heat: Float32Array;
  lesion: Uint8Array;
  /** The dilated marker mask that relevance on the confounder is scored on. */
  confounder?: Uint8Array;
}

/** The lesion class: the study explains why a positive is called positive. */
const POSITIVE = 1;

/** Conv and dense kernels of a model (attention qkv/proj count as two): the study's "depth". */
export function weightLayerCount(model: tfl.LayersModel): number {
  return model.layers.reduce((n, l) => n + l.weights.filter((w) => w.trainable && w.shape.length >= 2 && /kernel/.test(w.name)).length, 0);
}

/** Methods run on `arch`: the three gradient CAMs, plus attention rollout for ViTs. */
export function methodsFor(arch: ModelArch): string[] {
  return arch.startsWith('vit') ? ['GradCAM', 'GradCAMPlusPlus', 'HiResCAM', 'AttentionRollout'] : ['GradCAM', 'GradCAMPlusPlus', 'HiResCAM'];
}

/** Builds `arch` for the study's images (width-scaled; ViT with the study's depth and patch; no dropout, so training is deterministic). */
export function buildStudyModel(arch: ModelArch, s: GradcamDepthSettings, seed: number): tfl.LayersModel {
  const vit = arch.startsWith('vit');
  return buildModel(arch, {
    inputShape: [s.size, s.size, 1], numClasses: 2, seed, width: s.width, dropout: 0,
    ...(vit ? { depth: s.vitDepth, patchSize: s.vitPatch } : {}),
  });
}

/** Flat [n, ...] rows `idx` of a per-sample array of `per` values. */
export function pickRows<T extends Float32Array | Uint8Array>(src: T, idx: number[], per: number): T {
  const out = new (src.constructor as new (n: number) => T)(idx.length * per);
  idx.forEach((i, k) => out.set(src.subarray(i * per, (i + 1) * per), k * per));
  return out;
}

/** Sample `i`'s map scaled by its maximum to [0, 1] (channels summed, negatives dropped). */
function scaledHeat(a: Attribution, i: number, positions: number): Float32Array {
  const v = a.sampleValues(i);
  const c = v.length / positions;
  const heat = new Float32Array(positions);
  for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) heat[p] += Math.max(0, v[p * c + k]);
  const max = heat.reduce((m, x) => Math.max(m, x), 0);
  if (max > 0) for (let p = 0; p < positions; p++) heat[p] /= max;
  return heat;
}

/** Mean fraction of pixels in `mask` over the samples with `present[i]` = 1 (NaN when none or no mask). */
export function areaFraction(mask: Uint8Array | undefined, present: ArrayLike<number> | undefined, positions: number): number {
  if (!mask || !present) return NaN;
  let sum = 0, count = 0;
  for (let i = 0; i < present.length; i++) {
    if (present[i] !== 1) continue;
    let on = 0;
    for (let p = i * positions; p < (i + 1) * positions; p++) on += mask[p];
    sum += on / positions;
    count++;
  }
  return count ? sum / count : NaN;
}

/**
 * Trains with a step decay: `epochs - decayEpochs` epochs at `learningRate`, then the rest at a
 * tenth of it. The decay phase resumes the first phase's in-memory checkpoint, so Adam's moments
 * and the seeded per-epoch shuffling continue exactly as in one uninterrupted run.
 */
export async function trainWithDecay(model: tfl.LayersModel, data: VariantData, s: GradcamDepthSettings, seed: number, onProgress?: ProgressCallback): Promise<void> {
  const decay = Math.min(s.decayEpochs, s.epochs - 1);
  const store = new MemoryCheckpointStore();
  const phases = decay > 0 ? [[s.epochs - decay, s.learningRate], [s.epochs, s.learningRate / 10]] : [[s.epochs, s.learningRate]];
  for (const [epochs, learningRate] of phases) {
    await fit(model, data.train, {
      epochs, batchSize: s.batchSize, learningRate, seed, validation: data.val, onProgress,
      checkpoints: store, checkpointEvery: s.epochs, resume: true,
    });
  }
}

/** Data of one variant. */
export interface VariantData {
  variant: StudyVariant;
  train: ChestXrayDataset;
  val: ChestXrayDataset;
  test: ChestXrayDataset;
}

/**
 * Trains `arch` on `data` and measures it (see file comment). `seed` fixes weights, shuffling
 * and the randomisation draws.
 */
export async function runArch(
  arch: ModelArch, data: VariantData, s: GradcamDepthSettings, seed: number, onProgress?: ProgressCallback,
): Promise<{ result: ArchResult; examples: OverlayExample[] }> {
  const model = buildStudyModel(arch, s, seed);
  try {
    const camLayer = camLayerName(arch, arch.startsWith('vit') ? { depth: s.vitDepth } : {}) as string;
    const { seconds: trainSeconds } = await timed(() => trainWithDecay(model, data, s, seed, onProgress ? (e) => onProgress({ ...e, task: `train:${arch}:${data.variant}` }) : undefined));
    const { test } = data;
    const probs = softmaxRows(predictLogits(model, test.x, test.shape), 2);
    const acc = accuracy(test.y, argmaxRows(probs, 2));
    const auroc = binaryAuroc(Array.from(test.y, (v) => v === POSITIVE), Array.from({ length: test.y.length }, (_, i) => probs[2 * i + 1]));

    const size = s.size, P = size * size;
    const idx = [...test.y.keys()].filter((i) => test.y[i] === POSITIVE).slice(0, s.explainCount);
    const x = { data: pickRows(test.x, idx, P), shape: [idx.length, size, size, 1] };
    const lesion = pickRows(test.relevance, idx, P);
    // Relevance on the marker is scored on its dilated mask (see `confounderDilation`).
    const confMask = test.confounderMask ? dilateMasks(pickRows(test.confounderMask, idx, P), size, s.confounderDilation, lesion) : undefined;
    const confPresent = test.confounderPresent ? idx.map((i) => test.confounderPresent![i]) : undefined;

    const methods: MethodScores[] = [];
    const examples: OverlayExample[] = [];
    let gradcam: Attribution | undefined;
    const xt = tf.tensor(x.data, x.shape);
    try {
      for (const method of methodsFor(arch)) {
        const layerOpt = method === 'AttentionRollout' ? {} : { layer: camLayer };
        const { value: attr, seconds } = await timed(() => explain(model, xt, { method, target: POSITIVE, ...layerOpt }));
        if (method === 'GradCAM') gradcam = attr;
        const loc = await localisationScores(x, attr, lesion, s.thresholds);
        // Deletion costs `deletionSteps` forwards per sample: run it for Grad-CAM, the study's subject.
        const del = method === 'GradCAM' ? await deletionAuc(model, x, POSITIVE, attr, s.deletionSteps) : NaN;
        const conf = confMask && confPresent ? await regionRelevance(x, attr, confMask, confPresent) : NaN;
        methods.push({ method, ...loc, deletionAuc: del, confounderRelevance: conf, secondsPerSample: seconds / idx.length });
        const shown = method === 'GradCAM' || method === 'AttentionRollout' ? Math.min(s.figuresPerArch, idx.length) : 0;
        for (let k = 0; k < shown; k++) {
          examples.push({
            arch, variant: data.variant, method, size, image: x.data.subarray(k * P, (k + 1) * P), heat: scaledHeat(attr, k, P),
            lesion: lesion.subarray(k * P, (k + 1) * P), confounder: confPresent?.[k] ? confMask!.subarray(k * P, (k + 1) * P) : undefined,
          });
        }
        onProgress?.({ task: `explain:${arch}:${data.variant}`, done: methods.length, total: methodsFor(arch).length, info: { method } });
      }
    } finally {
      xt.dispose();
    }
    const randomisation = await randomisationScores(model, x, POSITIVE, gradcam!, 'GradCAM', camLayer, s.randomisationLayers, seed);
    const camGrid = (model.getLayer(camLayer).outputShape as number[]).slice(1, -1);
    const result: ArchResult = {
      arch, variant: data.variant, depth: weightLayerCount(model), params: trainableParamCount(model), camLayer,
      camGrid: arch.startsWith('vit') ? [size / s.vitPatch, size / s.vitPatch] : camGrid,
      accuracy: acc, auroc, trainSeconds, methods, randomisation, confounderAreaFraction: areaFraction(confMask, confPresent, P),
    };
    return { result, examples };
  } finally {
    model.dispose();
  }
}
