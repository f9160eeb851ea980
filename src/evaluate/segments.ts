/**
 * SLIC-lite superpixels for any spatial rank (signals, images, volumes): k-means over position
 * and channel values, seeded on a regular grid, each position comparing only the seeds of its
 * own and neighbouring grid cells (Achanta et al. 2012, without the Lab conversion and the
 * connectivity clean-up). Written by hand: no browser-safe npm package does SLIC on 1D/3D.
 */
import { InvalidInputError } from '../errors.js';
import type { FeatureSet } from './features.js';

/** SLIC-lite options. */
export interface SlicOptions {
  /** Wanted number of segments (the grid of seeds is about this size). Default 32. */
  nSegments?: number;
  /** Weight of spatial against value distance (values scaled to [0, 1]). Default 0.5. */
  compactness?: number;
  /** k-means iterations. Default 5. */
  iterations?: number;
}

/**
 * Segment id per position of one sample (`values` [positions * channels], channels last).
 * Ids are the seeds' grid cells, so `count` is the same for every sample of a shape; a segment
 * may end up empty.
 */
export function slicSegments(values: ArrayLike<number>, spatial: number[], channels: number, o: SlicOptions = {}): FeatureSet {
  const positions = spatial.reduce((a, b) => a * b, 1);
  if (values.length !== positions * channels) throw new Error(`slicSegments: ${values.length} values for [${spatial}] x ${channels}`);
  const k = o.nSegments ?? 32, m = o.compactness ?? 0.5, iters = o.iterations ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new InvalidInputError('nSegments', `must be a positive integer, got ${o.nSegments}`);
  const step = Math.max(1, Math.pow(positions / k, 1 / spatial.length));
  const grid = spatial.map((len) => Math.max(1, Math.round(len / step)));
  const cellSize = spatial.map((len, a) => len / grid[a]);
  const count = grid.reduce((a, b) => a * b, 1);
  const rank = spatial.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) (lo = Math.min(lo, values[i])), (hi = Math.max(hi, values[i]));
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const coords = new Float32Array(positions * rank);
  const cellOf = new Int32Array(positions * rank);
  for (let p = 0; p < positions; p++) {
    let rem = p;
    for (let a = rank - 1; a >= 0; a--) {
      const c = rem % spatial[a];
      rem = Math.floor(rem / spatial[a]);
      coords[p * rank + a] = c;
      cellOf[p * rank + a] = Math.min(grid[a] - 1, Math.floor(c / cellSize[a]));
    }
  }
  // Seeds at cell centres, values from the nearest position.
  const cPos = new Float64Array(count * rank), cVal = new Float64Array(count * channels);
  for (let s = 0; s < count; s++) {
    let rem = s, flat = 0;
    const idx = new Array(rank);
    for (let a = rank - 1; a >= 0; a--) (idx[a] = rem % grid[a]), (rem = Math.floor(rem / grid[a]));
    for (let a = 0; a < rank; a++) {
      const c = Math.min(spatial[a] - 1, Math.floor((idx[a] + 0.5) * cellSize[a]));
      cPos[s * rank + a] = c;
      flat = flat * spatial[a] + c;
    }
    for (let ch = 0; ch < channels; ch++) cVal[s * channels + ch] = values[flat * channels + ch] * scale;
  }
  const w = (m / step) ** 2;
  const ids = new Int32Array(positions);
  const offsets = neighbourOffsets(rank);
  for (let it = 0; it < iters; it++) {
    for (let p = 0; p < positions; p++) {
      let best = -1, bestD = Infinity;
      for (const off of offsets) {
        let s = 0, ok = true;
        for (let a = 0; a < rank; a++) {
          const g = cellOf[p * rank + a] + off[a];
          if (g < 0 || g >= grid[a]) { ok = false; break; }
          s = s * grid[a] + g;
        }
        if (!ok) continue;
        let d = 0;
        for (let ch = 0; ch < channels; ch++) d += (values[p * channels + ch] * scale - cVal[s * channels + ch]) ** 2;
        for (let a = 0; a < rank; a++) d += w * (coords[p * rank + a] - cPos[s * rank + a]) ** 2;
        if (d < bestD) (bestD = d), (best = s);
      }
      ids[p] = best;
    }
    const n = new Float64Array(count);
    cPos.fill(0);
    cVal.fill(0);
    for (let p = 0; p < positions; p++) {
      const s = ids[p];
      n[s]++;
      for (let a = 0; a < rank; a++) cPos[s * rank + a] += coords[p * rank + a];
      for (let ch = 0; ch < channels; ch++) cVal[s * channels + ch] += values[p * channels + ch] * scale;
    }
    for (let s = 0; s < count; s++) {
      if (n[s] === 0) continue;
      for (let a = 0; a < rank; a++) cPos[s * rank + a] /= n[s];
      for (let ch = 0; ch < channels; ch++) cVal[s * channels + ch] /= n[s];
    }
  }
  return { ids, count };
}

/** All offsets in {-1, 0, 1}^rank. */
function neighbourOffsets(rank: number): number[][] {
  let out: number[][] = [[]];
  for (let a = 0; a < rank; a++) out = out.flatMap((o) => [-1, 0, 1].map((d) => [...o, d]));
  return out;
}
