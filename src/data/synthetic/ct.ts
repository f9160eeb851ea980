/**
 * Contrast cardiac CT-like slices and volumes with label maps and optional findings, for
 * segmentation (including federated studies where each site labels a subset of structures:
 * `siteSubset`). HU-like values: air -1000, lung ~-800, fat ~-100, soft tissue ~40,
 * myocardium ~50, contrast-enhanced left heart and aorta ~300, right heart ~220, bone 700-900.
 * Each sample draws everything from its own stream `Rng(deriveSeed(seed, i))`.
 */
import { InvalidInputError } from '../../errors.js';
import type { ProgressCallback } from '../../progress.js';
import { Rng } from '../../util/random.js';
import { checkInt, checkRange, checkSeed, deriveSeed } from './common.js';
import { CARDIAC_LABELS, drawThorax, inside, Tissue } from './ct-anatomy.js';

/** Findings that can be switched on per sample. */
export const CT_FINDINGS = ['pericardial-effusion', 'calcification'] as const;
/** A finding name. */
export type CtFindingName = (typeof CT_FINDINGS)[number];

/** Options of `generateCardiacCt`. */
export interface CardiacCtOptions {
  n: number;
  /** In-plane size H = W (16..512). */
  size: number;
  /** Slices D (default 1: 2D axial slices through the ventricles and atria). */
  depth?: number;
  seed: number;
  /** Contrast-enhanced blood (default true); false gives ~40 HU blood. */
  contrast?: boolean;
  /** Gaussian noise standard deviation in HU (default 15). */
  noiseHU?: number;
  /** Probability per sample of each finding (default 0.3 each). */
  findingRates?: Partial<Record<CtFindingName, number>>;
  onProgress?: ProgressCallback;
}

/** One finding: presence per sample and its voxel mask, flat over `labelShape`. */
export interface CtFinding {
  name: CtFindingName;
  present: Uint8Array;
  mask: Uint8Array;
}

/** Generated CT data. */
export interface CardiacCtDataset {
  /** HU, channels last: [N, D, H, W, 1], or [N, H, W, 1] when depth = 1. */
  x: Float32Array;
  shape: number[];
  /** Label map, flat over `labelShape` ([N, D, H, W] or [N, H, W]). */
  labels: Uint8Array;
  labelShape: number[];
  labelNames: string[];
  findings: CtFinding[];
}

/** Generates cardiac CT slices (depth 1) or volumes; see the file comment for the HU values. */
export function generateCardiacCt(options: CardiacCtOptions): CardiacCtDataset {
  const { n, size, seed } = options;
  const depth = options.depth ?? 1;
  checkInt('n', n, 1, 100_000);
  checkInt('size', size, 16, 512);
  checkInt('depth', depth, 1, 512);
  checkSeed(seed);
  const noiseHU = checkRange('noiseHU', options.noiseHU ?? 15, 0, 1000);
  const rates = CT_FINDINGS.map((f) => checkRange(`findingRates.${f}`, options.findingRates?.[f] ?? 0.3, 0, 1));
  const contrast = options.contrast ?? true;

  const V = depth * size * size;
  const x = new Float32Array(n * V);
  const labels = new Uint8Array(n * V);
  const findings: CtFinding[] = CT_FINDINGS.map((name) => ({ name, present: new Uint8Array(n), mask: new Uint8Array(n * V) }));
  for (let i = 0; i < n; i++) {
    const rng = new Rng(deriveSeed(seed, i));
    const th = drawThorax(rng, contrast);
    const present = rates.map((r) => (rng.next() < r ? 1 : 0));
    const sliceZ = rng.uniform(-0.15, 0.05);
    const noise = rng.fork();
    present.forEach((p, f) => (findings[f].present[i] = p));
    const effusionMask = findings[0].mask, calcMask = findings[1].mask;
    const { cos, sin } = th.heart;
    for (let d = 0, at = i * V; d < depth; d++) {
      const z = depth === 1 ? sliceZ : ((d + 0.5) / depth) * 2 - 1;
      for (let h = 0; h < size; h++) {
        for (let w = 0; w < size; w++, at++) {
          const xx = ((((w + 0.5) / size) * 2 - 1) - th.dx) / th.scale, yy = ((((h + 0.5) / size) * 2 - 1) - th.dy) / th.scale;
          const rx = xx - th.heart.x, ry = yy - th.heart.y;
          const hx = cos * rx + sin * ry, hy = -sin * rx + cos * ry;
          let hu = -1000, label = 0, tissue: Tissue = Tissue.Air;
          for (let k = 0; k < th.shapes.length; k++) {
            const s = th.shapes[k];
            if (s.finding !== undefined && !present[s.finding]) continue;
            if (inside(s, xx, yy, z, hx, hy)) { hu = s.hu; label = s.label; tissue = s.tissue; }
          }
          if (tissue === Tissue.Effusion) effusionMask[at] = 1;
          if (present[1]) {
            for (const c of th.calcifications) {
              if ((xx - c.x) ** 2 + (yy - c.y) ** 2 + (z - c.z) ** 2 < c.r * c.r) { hu = c.hu; calcMask[at] = 1; break; }
            }
          }
          labels[at] = label;
          x[at] = hu + noiseHU * noise.normal();
        }
      }
    }
    if (options.onProgress && ((i + 1) % 16 === 0 || i + 1 === n)) options.onProgress({ task: 'synthetic:ct', done: i + 1, total: n });
  }
  const spatial = depth === 1 ? [size, size] : [depth, size, size];
  return { x, shape: [n, ...spatial, 1], labels, labelShape: [n, ...spatial], labelNames: [...CARDIAC_LABELS], findings };
}

/**
 * A partial label map as one site of a federated study would have it: structures not in `keep`
 * (names from `labelNames` or label indices) become `fill` (default 0, background). Label indices
 * are kept, so every site shares the global label space.
 */
export function siteSubset(labels: Uint8Array, keep: (string | number)[], labelNames: readonly string[] = CARDIAC_LABELS, fill = 0): Uint8Array {
  const kept = new Uint8Array(256);
  kept[0] = 1;
  for (const k of keep) {
    const idx = typeof k === 'number' ? k : labelNames.indexOf(k);
    if (!Number.isInteger(idx) || idx < 0 || idx >= labelNames.length) {
      throw new InvalidInputError('keep', `unknown structure ${JSON.stringify(k)}; known: ${labelNames.join(', ')}`);
    }
    kept[idx] = 1;
  }
  checkInt('fill', fill, 0, 255);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = kept[labels[i]] ? labels[i] : fill;
  return out;
}
