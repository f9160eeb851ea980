/**
 * Chest X-ray-like images with an exact pneumothorax-like lesion mask.
 *
 * Each image draws its anatomy (cxr-anatomy.ts), lesion geometry, confounder parameters and noise
 * from its own stream `Rng(deriveSeed(seed, i))`, identically whatever its label; the label only
 * switches the lesion on. The lesion is a crescent at the apical/lateral edge of one lung (the
 * pleural air between chest wall and collapsed lung): darker than lung and without lung
 * markings, bounded medially by a thin bright visceral pleural line. `relevance` is exactly the
 * set of pixels the lesion changes (crescent + pleural line, always inside `lungMask`), empty for
 * negatives; the same image generated with the other label differs exactly there (unless a
 * confounder is on, whose presence also depends on the label: it is marked in `confounderMask`).
 */
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';
import { Rng } from '../../util/random.js';
import type { LabeledDataset, RelevanceTruth } from '../types.js';
import { assignLabels, checkInt, checkLabels, checkRange, checkSeed, deriveSeed } from './common.js';
import {
  boneIntensity, drawAnatomy, inHeart, lungAngle, lungMarkings, lungRadius, tissueIntensity, toCanonical,
} from './cxr-anatomy.js';
import { type ConfounderKind, drawChestTube, drawConfounder, drawTextMarker } from './cxr-confounders.js';

/** Options of `generateChestXrays`. */
export interface ChestXrayOptions {
  n: number;
  /** Image side in pixels (16..1024). */
  size: number;
  seed: number;
  /** Fraction of images with a lesion (default 0.5; counts exact to rounding). */
  lesionRate?: number;
  /** Label per image (0 no lesion, 1 lesion), overriding `lesionRate`, e.g. to make twins. */
  labels?: ArrayLike<number>;
  /**
   * A shortcut feature present with probability (1 + correlation) / 2 in positives and
   * (1 - correlation) / 2 in negatives: with balanced labels its phi correlation with the label
   * is exactly `correlation` (in [-1, 1]).
   */
  confounder?: { kind: ConfounderKind; correlation: number };
  /** Harder variant: thinner, fainter lesion, more noise and pose variation. */
  hard?: boolean;
  onProgress?: ProgressCallback;
}

/**
 * Images `x` [N, H, W, 1] (`shape`); `relevance`, `lungMask` and `confounderMask` flat over
 * [N, H, W]. Classes ['no-pneumothorax', 'pneumothorax'].
 */
export type ChestXrayDataset = LabeledDataset & RelevanceTruth & {
  lungMask: Uint8Array;
  /** Present with a confounder: its pixels per image (all 0 where absent). */
  confounderMask?: Uint8Array;
  /** Present with a confounder: 1 where the image carries it. */
  confounderPresent?: Uint8Array;
};

/**
 * Base intensity of aerated lung, and what the pleural line adds: more than MAX_MARKING, so every
 * lesion pixel differs from the lung it replaces (darker air, or a line brighter than any vessel).
 */
const LUNG = 0.2;
const PLEURAL_LINE = 0.12;

/** Generates the dataset (see file comment). */
export function generateChestXrays(options: ChestXrayOptions): ChestXrayDataset {
  const { n, size, seed } = options;
  checkInt('n', n, 1, 1_000_000);
  checkInt('size', size, 16, 1024);
  checkSeed(seed);
  const rate = checkRange('lesionRate', options.lesionRate ?? 0.5, 0, 1);
  const hard = options.hard ?? false;
  const conf = options.confounder;
  if (conf !== undefined) {
    if (conf.kind !== 'chest-tube' && conf.kind !== 'text-marker') {
      throw new InvalidInputError('confounder.kind', `must be 'chest-tube' or 'text-marker', got ${String(conf.kind)}`);
    }
    checkRange('confounder.correlation', conf.correlation, -1, 1);
  }
  const y = options.labels !== undefined
    ? checkLabels(options.labels, n, 2)
    : assignLabels(n, [1 - rate, rate], new Rng(deriveSeed(seed, 0x6c61626c)));

  const P = size * size;
  const x = new Float32Array(n * P);
  const relevance = new Uint8Array(n * P);
  const lungMask = new Uint8Array(n * P);
  const confounderMask = conf ? new Uint8Array(n * P) : undefined;
  const confounderPresent = conf ? new Uint8Array(n) : undefined;
  const img = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    const rng = new Rng(deriveSeed(seed, i));
    const a = drawAnatomy(rng, hard);
    const lesion = {
      lung: rng.next() < 0.5 ? 0 : 1,
      center: rng.uniform(20, 80),
      half: rng.uniform(35, 55),
      width: hard ? rng.uniform(0.1, 0.18) : rng.uniform(0.18, 0.32),
      darker: hard ? rng.uniform(0.03, 0.05) : rng.uniform(0.06, 0.1),
    };
    const confParams = drawConfounder(rng);
    const confDraw = rng.next();
    const noiseRng = rng.fork();
    const positive = y[i] === 1;
    const lineWidth = (1.5 * 2) / (size * a.scale) / ((a.lungs[lesion.lung].au + a.lungs[lesion.lung].av) / 2);
    const rel = relevance.subarray(i * P, (i + 1) * P), lm = lungMask.subarray(i * P, (i + 1) * P);

    for (let row = 0, at = 0; row < size; row++) {
      for (let col = 0; col < size; col++, at++) {
        const [u, v] = toCanonical(a, row, col, size);
        let val = tissueIntensity(a, u, v);
        for (let k = 0; k < 2; k++) {
          const l = a.lungs[k];
          const r = lungRadius(l, u, v);
          if (r >= 1 || inHeart(a, u, v)) continue;
          lm[at] = 1;
          val = LUNG + lungMarkings(a, u, v, r);
          if (!positive || k !== lesion.lung) break;
          const dAngle = (lungAngle(l, u, v) - lesion.center) / lesion.half;
          if (Math.abs(dAngle) >= 1) break;
          const inner = 1 - lesion.width * Math.sqrt(1 - dAngle * dAngle);
          if (r >= inner) val = LUNG - lesion.darker; // pleural air: darker, no markings
          else if (r >= inner - lineWidth) val = LUNG + PLEURAL_LINE; // visceral pleural line
          else break;
          rel[at] = 1;
          break;
        }
        img[at] = val + boneIntensity(a, u, v);
      }
    }
    if (conf && confounderMask && confounderPresent) {
      const pPresent = (1 + (positive ? conf.correlation : -conf.correlation)) / 2;
      if (confDraw < pPresent) {
        confounderPresent[i] = 1;
        const cm = confounderMask.subarray(i * P, (i + 1) * P);
        if (conf.kind === 'text-marker') drawTextMarker(img, cm, size, confParams);
        else drawChestTube(img, cm, rel, size, a, confParams);
        // A marker pixel set over the lesion would hide it; keep the two masks disjoint.
        for (let p = 0; p < P; p++) if (cm[p] && rel[p]) rel[p] = 0;
      }
    }
    const sigma = hard ? 0.025 : 0.012;
    const out = x.subarray(i * P, (i + 1) * P);
    for (let p = 0; p < P; p++) out[p] = a.gain * img[p] + a.bias + sigma * noiseRng.normal();
    if (options.onProgress && ((i + 1) % 64 === 0 || i + 1 === n)) options.onProgress({ task: 'synthetic:cxr', done: i + 1, total: n });
  }
  const result: ChestXrayDataset = { x, shape: [n, size, size, 1], y, classNames: ['no-pneumothorax', 'pneumothorax'], relevance, lungMask };
  if (confounderMask && confounderPresent) {
    result.confounderMask = confounderMask;
    result.confounderPresent = confounderPresent;
  }
  return result;
}
