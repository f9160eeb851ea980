/**
 * Shortcut features for the confounded chest X-ray variant: a chest tube (radiopaque line entering
 * through the lateral chest wall) or a burned-in text marker in an image corner.
 */
import { Rng } from '../../util/random.js';
import type { Anatomy } from './cxr-anatomy.js';

/** Confounder kinds. */
export type ConfounderKind = 'chest-tube' | 'text-marker';

/** Where and how a confounder would be drawn; drawn for every image whether present or not. */
export interface ConfounderParams {
  side: -1 | 1;
  entryV: number;
  tipU: number;
  tipV: number;
  word: string;
  corner: 0 | 1;
}

const WORDS = ['L', 'R', 'AP', 'PORT'];

/** Draws confounder parameters (a fixed number of draws). */
export function drawConfounder(rng: Rng): ConfounderParams {
  return {
    side: rng.next() < 0.5 ? -1 : 1,
    entryV: rng.uniform(0.3, 0.5),
    tipU: rng.uniform(0.2, 0.32),
    tipV: rng.uniform(-0.1, 0.08),
    word: WORDS[rng.int(WORDS.length)],
    corner: rng.next() < 0.5 ? 0 : 1,
  };
}

/** 5x7 glyphs of the marker letters. */
const GLYPHS: Record<string, string[]> = {
  L: ['1....', '1....', '1....', '1....', '1....', '1....', '11111'],
  R: ['1111.', '1...1', '1...1', '1111.', '1.1..', '1..1.', '1...1'],
  A: ['.111.', '1...1', '1...1', '11111', '1...1', '1...1', '1...1'],
  P: ['1111.', '1...1', '1...1', '1111.', '1....', '1....', '1....'],
  O: ['.111.', '1...1', '1...1', '1...1', '1...1', '1...1', '.111.'],
  T: ['11111', '..1..', '..1..', '..1..', '..1..', '..1..', '..1..'],
};

/** Intensity of marker pixels and amount a chest tube adds. */
const MARKER_VALUE = 0.97;
const TUBE_ADD = 0.35;

/**
 * Burns a text marker into the top-left (corner 0) or top-right corner of `img` (image
 * coordinates, unaffected by the pose), setting `mask` where drawn.
 */
export function drawTextMarker(img: Float64Array, mask: Uint8Array, size: number, p: ConfounderParams): void {
  const cell = Math.max(1, Math.floor((size * 0.09) / 7));
  const width = (p.word.length * 6 - 1) * cell;
  const margin = Math.max(1, Math.round(size * 0.03));
  const x0 = p.corner === 0 ? margin : size - margin - width;
  [...p.word].forEach((ch, k) => {
    GLYPHS[ch].forEach((line, gy) => {
      for (let gx = 0; gx < 5; gx++) {
        if (line[gx] !== '1') continue;
        for (let dy = 0; dy < cell; dy++) {
          for (let dx = 0; dx < cell; dx++) {
            const row = margin + gy * cell + dy, col = x0 + (k * 6 + gx) * cell + dx;
            if (row < size && col >= 0 && col < size) {
              img[row * size + col] = MARKER_VALUE;
              mask[row * size + col] = 1;
            }
          }
        }
      }
    });
  });
}

/**
 * Draws a chest tube: a quadratic curve from outside the lateral chest wall at the lower chest
 * into the lung, brightening `img` and setting `mask`. Pixels where `forbidden` is 1 (the lesion)
 * are left untouched, so the lesion mask and the confounder mask never overlap.
 */
export function drawChestTube(img: Float64Array, mask: Uint8Array, forbidden: Uint8Array, size: number, a: Anatomy, p: ConfounderParams): void {
  const s = p.side;
  const P0 = [s * 1.05, p.entryV], P1 = [s * 0.6, p.entryV - 0.05], P2 = [s * p.tipU, p.tipV];
  const radius = Math.max(0.75, 0.009 * size * a.scale);
  const c = Math.cos(a.rot), sn = Math.sin(a.rot);
  const steps = Math.ceil(size * 2);
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    const u = (1 - t) ** 2 * P0[0] + 2 * (1 - t) * t * P1[0] + t * t * P2[0];
    const v = (1 - t) ** 2 * P0[1] + 2 * (1 - t) * t * P1[1] + t * t * P2[1];
    // canonical -> pixel: the inverse of toCanonical.
    const px = a.scale * (c * u - sn * v) + a.du, py = a.scale * (sn * u + c * v) + a.dv;
    const col = ((px + 1) / 2) * size - 0.5, row = ((py + 1) / 2) * size - 0.5;
    for (let r = Math.floor(row - radius); r <= Math.ceil(row + radius); r++) {
      for (let q = Math.floor(col - radius); q <= Math.ceil(col + radius); q++) {
        if (r < 0 || q < 0 || r >= size || q >= size || (r - row) ** 2 + (q - col) ** 2 > radius * radius) continue;
        const at = r * size + q;
        if (forbidden[at] || mask[at]) continue;
        img[at] += TUBE_ADD;
        mask[at] = 1;
      }
    }
  }
}
