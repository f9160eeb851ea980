/**
 * Anatomy of the synthetic PA chest radiograph: a canonical frame (u right, v down, both in
 * [-1, 1]) holding body, lungs, heart, mediastinum, ribs and clavicles, and a per-image pose that
 * maps pixels into it. Intensities are "display" values (air dark, bone bright) around [0, 1].
 */
import { Rng } from '../../util/random.js';

/** One lung: an ellipse; side -1 = patient's right (image left), +1 = patient's left. */
export interface Lung {
  side: -1 | 1;
  cu: number;
  cv: number;
  au: number;
  av: number;
}

/** Per-image anatomy and pose, drawn once per image. */
export interface Anatomy {
  /** Pose: pixel -> canonical is p' = R(-rot) (p - shift) / scale. */
  scale: number;
  rot: number;
  du: number;
  dv: number;
  lungs: [Lung, Lung];
  heart: { cu: number; cv: number; au: number; av: number };
  ribStart: number;
  ribSpacing: number;
  ribCurve: number;
  /** Lung markings: value-noise grid (G x G over [-1.25, 1.25]^2). */
  grid: Float32Array;
  gridSize: number;
  gain: number;
  bias: number;
}

/** Draws the anatomy of one image; `hard` widens the pose variation. */
export function drawAnatomy(rng: Rng, hard: boolean): Anatomy {
  const pv = hard ? 2 : 1;
  const lungH = rng.uniform(0.56, 0.64), lungW = rng.uniform(0.26, 0.31), lungY = rng.uniform(-0.06, 0.02);
  const gridSize = 24;
  const grid = new Float32Array(gridSize * gridSize);
  for (let k = 0; k < grid.length; k++) grid[k] = rng.next();
  return {
    scale: rng.uniform(1 - 0.08 * pv, 1 + 0.08 * pv),
    rot: (rng.uniform(-4, 4) * pv * Math.PI) / 180,
    du: rng.uniform(-0.04, 0.04) * pv,
    dv: rng.uniform(-0.04, 0.04) * pv,
    lungs: [
      { side: -1, cu: -rng.uniform(0.38, 0.43), cv: lungY, au: lungW, av: lungH },
      { side: 1, cu: rng.uniform(0.38, 0.43), cv: lungY + rng.uniform(0, 0.03), au: lungW * rng.uniform(0.92, 1), av: lungH * rng.uniform(0.95, 1.02) },
    ],
    heart: { cu: rng.uniform(0.1, 0.18), cv: rng.uniform(0.3, 0.38), au: rng.uniform(0.3, 0.36), av: rng.uniform(0.23, 0.28) },
    ribStart: rng.uniform(-0.66, -0.58),
    ribSpacing: rng.uniform(0.12, 0.14),
    ribCurve: rng.uniform(0.5, 0.8),
    grid,
    gridSize,
    gain: rng.uniform(0.85, 1.15),
    bias: rng.uniform(-0.05, 0.05),
  };
}

/** Canonical coordinates of pixel (row, col) of a size x size image. */
export function toCanonical(a: Anatomy, row: number, col: number, size: number): [number, number] {
  const px = ((col + 0.5) / size) * 2 - 1 - a.du, py = ((row + 0.5) / size) * 2 - 1 - a.dv;
  const c = Math.cos(a.rot), s = Math.sin(a.rot);
  return [(c * px + s * py) / a.scale, (-s * px + c * py) / a.scale];
}

/**
 * Normalised radius of (u, v) in a lung: < 1 inside, 1 on the pleura. An ellipse narrowed towards
 * the apex (the upper half's width shrinks by up to 30%).
 */
export function lungRadius(l: Lung, u: number, v: number): number {
  const y = (v - l.cv) / l.av;
  const x = (u - l.cu) / (l.au * (1 - 0.3 * Math.min(1, Math.max(0, -y)) ** 2));
  return Math.sqrt(x * x + y * y);
}

/**
 * Angle (degrees) of (u, v) around a lung's centre: 0 = lateral (towards the chest wall),
 * 90 = apex, 180 = medial, -90 = base.
 */
export function lungAngle(l: Lung, u: number, v: number): number {
  return (Math.atan2(-(v - l.cv) / l.av, (l.side * (u - l.cu)) / l.au) * 180) / Math.PI;
}

/** True where the heart shadow covers (u, v). */
export function inHeart(a: Anatomy, u: number, v: number): boolean {
  const h = a.heart;
  return ((u - h.cu) / h.au) ** 2 + ((v - h.cv) / h.av) ** 2 < 1;
}

/** Smooth value noise in [0, 1] from the anatomy's grid at canonical (u, v) and `freq` cells per unit. */
function valueNoise(a: Anatomy, u: number, v: number, freq: number, offset: number): number {
  const G = a.gridSize;
  const gx = (u * freq + offset) % (G - 1), gy = (v * freq + offset * 0.7) % (G - 1);
  const fx = gx < 0 ? gx + G - 1 : gx, fy = gy < 0 ? gy + G - 1 : gy;
  const ix = Math.floor(fx), iy = Math.floor(fy);
  const tx = fx - ix, ty = fy - iy;
  const sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
  const g = a.grid;
  const v00 = g[iy * G + ix], v01 = g[iy * G + ix + 1], v10 = g[(iy + 1) * G + ix], v11 = g[(iy + 1) * G + ix + 1];
  return (v00 * (1 - sx) + v01 * sx) * (1 - sy) + (v10 * (1 - sx) + v11 * sx) * sy;
}

/** Largest value `lungMarkings` can return (the pleural line is drawn brighter than this). */
export const MAX_MARKING = 0.08;

/**
 * Vessel-like lung markings: ridges of two octaves of value noise, fading towards the pleura
 * (`r` = lung radius), in [0, MAX_MARKING].
 */
export function lungMarkings(a: Anatomy, u: number, v: number, r: number): number {
  const n = 0.65 * valueNoise(a, u, v, 7, 3.1) + 0.35 * valueNoise(a, u, v, 15, 7.7);
  const ridge = 1 - Math.abs(2 * n - 1);
  return MAX_MARKING * ridge ** 4 * (1 - 0.45 * Math.min(1, r * r));
}

/** Soft-tissue / mediastinum / heart base intensity at (u, v) outside the lungs. */
export function tissueIntensity(a: Anatomy, u: number, v: number): number {
  if ((u / 0.93) ** 2 + ((v - 0.05) / 1.12) ** 2 >= 1) return 0.04; // air around the patient
  if (inHeart(a, u, v)) return 0.72;
  if (Math.abs(u) < 0.13) return 0.66; // mediastinum and spine
  return 0.5 - 0.06 * Math.abs(u); // thinner soft tissue laterally
}

/** Bone added at (u, v): posterior ribs (arcs running down laterally) and clavicles. */
export function boneIntensity(a: Anatomy, u: number, v: number): number {
  let add = 0;
  const x = Math.abs(u);
  if (x > 0.1 && x < 0.86) {
    const shape = -0.35 * (x - 0.1) + a.ribCurve * (x - 0.1) ** 2; // rises from the spine, then falls
    const k = Math.round((v - a.ribStart - shape) / a.ribSpacing);
    if (k >= 0 && k < 9) {
      const d = Math.abs(v - (a.ribStart + shape + k * a.ribSpacing));
      if (d < 0.022) add += 0.09 * (1 - (d / 0.022) ** 2);
    }
  }
  if (x > 0.08 && x < 0.62) {
    const d = Math.abs(v - (-0.74 - 0.12 * (x - 0.08)));
    if (d < 0.03) add += 0.12 * (1 - (d / 0.03) ** 2);
  }
  return add;
}
