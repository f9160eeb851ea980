/**
 * Real-data plausibility check of the Grad-CAM-vs-depth study: a small CNN trained on the 40
 * Hannover chest X-rays for a clinical label (ICU admission), then the fraction of its Grad-CAM
 * relevance that falls inside the human-drawn lung masks, against the lung-area fraction that a
 * uniform map would get. Forty images train nothing reliable: this checks where the maps
 * point, not how well the label is predicted.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { explain } from '../explain/explain.js';
import { camLayerName } from '../models/zoo.js';
import type { ModelArch } from '../models/types.js';
import type { ProgressCallback } from '../progress.js';
import { fit } from '../train/fit.js';
import { accuracy, argmaxRows, binaryAuroc } from '../train/metrics.js';
import { predictLogits, softmaxRows } from '../train/predict.js';
import { zscoreRows } from '../train/preprocess.js';
import { evaluate } from '../evaluate/index.js';
import { Rng } from '../util/random.js';
import type { GradcamDepthSettings, HannoverInput, HannoverResult } from './gradcam-depth-config.js';
import { buildStudyModel, pickRows } from './gradcam-depth-models.js';

const ARCH: ModelArch = 'vgg11';

/** Resizes grey images to size x size (bilinear) and z-scores each; masks by nearest neighbour. */
export function resizeHannover(input: HannoverInput, size: number): { x: Float32Array; lungs: Uint8Array } {
  const n = input.images.length, P = size * size;
  const x = new Float32Array(n * P), lungs = new Uint8Array(n * P);
  input.images.forEach((img, i) => {
    const m = input.lungMasks[i];
    if (img.data.length !== img.height * img.width || m.length !== img.data.length) {
      throw new InvalidInputError(`hannover image ${input.ids[i]}`, `image has ${img.data.length} values, mask ${m.length}, expected ${img.height}x${img.width}`);
    }
    tf.tidy(() => {
      const t = tf.tensor4d(img.data, [1, img.height, img.width, 1]);
      x.set(tf.image.resizeBilinear(t, [size, size], true).dataSync(), i * P);
      const mt = tf.tensor4d(Float32Array.from(m), [1, img.height, img.width, 1]);
      lungs.set(Uint8Array.from(tf.image.resizeNearestNeighbor(mt, [size, size], true).dataSync(), (v) => (v > 0.5 ? 1 : 0)), i * P);
    });
  });
  return { x: zscoreRows(x, P), lungs };
}

/** Seeded split holding out about a quarter of each class. */
function stratifiedSplit(labels: Int32Array, seed: number): { train: number[]; test: number[] } {
  const rng = new Rng(seed);
  const train: number[] = [], test: number[] = [];
  for (const c of [0, 1]) {
    const idx = rng.shuffle([...labels.keys()].filter((i) => labels[i] === c));
    const k = Math.max(1, Math.round(idx.length / 4));
    test.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** Runs the plausibility check (see file comment) at the study's image size and width. */
export async function runHannoverCheck(input: HannoverInput, s: GradcamDepthSettings, seed: number, epochs: number, onProgress?: ProgressCallback): Promise<HannoverResult> {
  const n = input.images.length;
  if (n < 4 || input.labels.length !== n || input.lungMasks.length !== n) throw new InvalidInputError('hannover', `needs >= 4 images with one label and mask each, got ${n}`);
  const size = s.size, P = size * size;
  const { x, lungs } = resizeHannover(input, size);
  const split = stratifiedSplit(input.labels, seed);
  const subset = (idx: number[]) => ({ x: pickRows(x, idx, P), shape: [idx.length, size, size, 1], y: Int32Array.from(idx, (i) => input.labels[i]), classNames: [...input.classNames] });
  const model = buildStudyModel(ARCH, s, seed);
  try {
    await fit(model, subset(split.train), {
      epochs, batchSize: 8, learningRate: s.learningRate, seed, classWeights: 'balanced',
      onProgress: onProgress ? (e) => onProgress({ ...e, task: 'train:hannover' }) : undefined,
    });
    const test = subset(split.test);
    const probs = softmaxRows(predictLogits(model, test.x, test.shape), 2);
    const heldOutAccuracy = accuracy(test.y, argmaxRows(probs, 2));
    const heldOutAuroc = binaryAuroc(Array.from(test.y, (v) => v === 1), Array.from(test.y, (_, i) => probs[2 * i + 1]));
    const xt = tf.tensor(x, [n, size, size, 1]);
    let attr;
    try {
      attr = await explain(model, xt, { method: 'GradCAM', target: 1, layer: camLayerName(ARCH) as string });
    } finally {
      xt.dispose();
    }
    const inLungs = await evaluate('RelevanceMassAccuracy', { model: null, x: { data: x, shape: [n, size, size, 1] }, attribution: attr, mask: lungs });
    const perImage = input.ids.map((id, i) => {
      let area = 0;
      for (let p = i * P; p < (i + 1) * P; p++) area += lungs[p];
      return { id, relevanceInLungs: inLungs[i], lungAreaFraction: area / P };
    });
    const meanOf = (f: (r: (typeof perImage)[number]) => number) => {
      const v = perImage.map(f).filter(Number.isFinite);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
    };
    return {
      images: n, label: input.labelName, positives: input.labels.reduce((a, b) => a + b, 0), arch: ARCH, size,
      heldOut: split.test.length, heldOutAccuracy, heldOutAuroc,
      relevanceInLungs: meanOf((r) => r.relevanceInLungs), lungAreaFraction: meanOf((r) => r.lungAreaFraction), perImage,
      note: `Plausibility check only: ${n} images (${split.train.length} train, ${split.test.length} held out) cannot train or validate a classifier of ${input.labelName}; the held-out numbers are anecdotal. The comparison that matters is relevance inside the lungs vs the lung-area fraction (chance for a uniform map).`,
    };
  } finally {
    model.dispose();
  }
}
