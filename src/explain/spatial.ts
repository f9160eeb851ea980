/**
 * Helpers that branch on spatial rank so that methods never do: upsampling (linear, bilinear,
 * trilinear), separable Gaussian blur, sliding windows and grid segments (superpixel-like
 * features for images, windows for signals). Tensors are [N, ...spatial, C]; a plain [N, F]
 * input counts as rank 1 with one channel.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { SpatialRank } from '../data/types.js';

/** Spatial dims and channel count of one sample's shape (without batch). */
export function splitSampleShape(sampleShape: number[]): { spatial: number[]; channels: number } {
  if (sampleShape.length === 1) return { spatial: sampleShape.slice(), channels: 1 };
  return { spatial: sampleShape.slice(0, -1), channels: sampleShape[sampleShape.length - 1] };
}

/** Interpolation name used for a spatial rank. */
export function interpolationName(rank: SpatialRank): 'linear' | 'bilinear' | 'trilinear' {
  return rank === 1 ? 'linear' : rank === 2 ? 'bilinear' : 'trilinear';
}

/**
 * Weights [size, len] of 1D linear interpolation from `len` samples to `size` with half-pixel
 * centres, clamped at the borders: exactly the taps and fractions of tf.image.resizeBilinear
 * with halfPixelCenters.
 */
export function linearResizeWeights(len: number, size: number): Float32Array {
  const w = new Float32Array(size * len);
  const scale = len / size;
  for (let o = 0; o < size; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.floor(src)), hi = Math.min(len - 1, Math.ceil(src));
    const frac = src - Math.floor(src);
    w[o * len + lo] += 1 - frac;
    w[o * len + hi] += frac;
  }
  return w;
}

/** Interpolates axis 1 of x ([B, len, R]) to `size` by one matrix product ([B, size, R]). */
function resizeAxis(x: tf.Tensor, size: number): tf.Tensor {
  const len = x.shape[1] as number;
  if (len === size) return x;
  const w = tf.tensor3d(linearResizeWeights(len, size), [1, size, len]);
  return tf.matMul(w, x as tf.Tensor3D);
}

/**
 * Resizes [N, ...grid, C] to [N, ...size, C] by (bi/tri)linear interpolation with half-pixel
 * centres (as OpenCV's resize used by pytorch-grad-cam), separable: one small matrix product
 * per axis (a [size, len] interpolation matrix against the tensor viewed as [B, len, rest]),
 * which is fast on every backend and needs no transposes.
 */
export function upsample(x: tf.Tensor, size: number[]): tf.Tensor {
  return tf.tidy(() => {
    const [n, ...rest] = x.shape;
    const c = rest[rest.length - 1];
    const grid = rest.slice(0, -1);
    if (grid.length !== size.length) throw new Error(`upsample: grid rank ${grid.length} vs size rank ${size.length}`);
    if (grid.length < 1 || grid.length > 3) throw new Error(`upsample: unsupported grid rank ${grid.length}`);
    if (grid.every((g, i) => g === size[i])) return tf.clone(x);
    // Innermost spatial axis first: view as [outer, len, inner] with inner = later axes x C.
    let t = x;
    const dims = [...grid];
    for (let a = grid.length - 1; a >= 0; a--) {
      const outer = n * dims.slice(0, a).reduce((p, q) => p * q, 1);
      const inner = dims.slice(a + 1).reduce((p, q) => p * q, 1) * c;
      t = resizeAxis(tf.reshape(t, [outer, dims[a], inner]), size[a]);
      dims[a] = size[a];
    }
    return tf.reshape(t, [n, ...size, c]);
  });
}

/** Normalised 1D Gaussian kernel of standard deviation `sigma` (radius 3 sigma). */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  return k.map((v) => v / s);
}

/**
 * Gaussian blur over the spatial axes of [N, ...spatial, C] (or [N, F]), separable, with
 * reflected borders. `sigma` is in samples/pixels/voxels (one value or one per axis).
 */
export function gaussianBlur(x: tf.Tensor, sigma: number | number[]): tf.Tensor {
  return tf.tidy(() => {
    const flat = x.shape.length === 2;
    let t = flat ? tf.expandDims(x, -1) : x;
    const rank = t.shape.length - 2;
    const sigmas = typeof sigma === 'number' ? new Array(rank).fill(sigma) : sigma;
    if (sigmas.length !== rank || sigmas.some((s) => !(s >= 0))) throw new InvalidInputError('sigma', `need ${rank} non-negative values`);
    for (let a = 1; a <= rank; a++) {
      if (sigmas[a - 1] === 0) continue;
      const len = t.shape[a];
      const kernel = gaussianKernel(sigmas[a - 1]);
      const r = Math.min((kernel.length - 1) / 2, len - 1);
      const k = kernel.slice((kernel.length - 1) / 2 - r, (kernel.length - 1) / 2 + r + 1);
      const sum = k.reduce((p, q) => p + q, 0);
      const perm = [...Array(t.shape.length).keys()].filter((i) => i !== a).concat([a]);
      const moved = tf.transpose(t, perm);
      const rows = tf.reshape(moved, [-1, len, 1]) as tf.Tensor3D;
      const padded = r > 0 ? tf.mirrorPad(rows, [[0, 0], [r, r], [0, 0]], 'reflect') : rows;
      const conv = tf.conv1d(padded, tf.tensor3d(k.map((v) => v / sum), [k.length, 1, 1]), 1, 'valid');
      const back = tf.reshape(conv, moved.shape);
      const inv = perm.map((_, i) => perm.indexOf(i));
      t = tf.transpose(back, inv);
    }
    return flat ? tf.squeeze(t, [-1]) : t;
  });
}

/** Start positions of windows of `window` moved by `strides` over `shape` (last window flush with the end). */
export function windowStarts(shape: number[], window: number[], strides: number[]): number[][] {
  if (window.length !== shape.length || strides.length !== shape.length) throw new Error('windowStarts: rank mismatch');
  const perAxis = shape.map((len, a) => {
    const w = window[a], s = strides[a];
    if (!Number.isInteger(w) || w < 1 || w > len) throw new InvalidInputError('window', `size ${w} on an axis of length ${len}`);
    if (!Number.isInteger(s) || s < 1) throw new InvalidInputError('strides', `stride ${s} must be a positive integer`);
    const starts: number[] = [];
    for (let p = 0; p + w <= len; p += s) starts.push(p);
    if (starts[starts.length - 1] + w < len) starts.push(len - w);
    return starts;
  });
  let out: number[][] = [[]];
  for (const starts of perAxis) out = out.flatMap((prefix) => starts.map((p) => [...prefix, p]));
  return out;
}

/** Row-major flat indices of the box [start, start + window) inside `shape`. */
export function boxIndices(shape: number[], start: number[], window: number[]): Int32Array {
  const count = window.reduce((a, b) => a * b, 1);
  const out = new Int32Array(count);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, q) => p * q, 1));
  const pos = new Array(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let flat = 0;
    for (let a = 0; a < shape.length; a++) flat += (start[a] + pos[a]) * strides[a];
    out[i] = flat;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++pos[a] < window[a]) break;
      pos[a] = 0;
    }
  }
  return out;
}

/**
 * Feature id per element of one sample: a regular grid of cells of `cell` (spatial sizes),
 * every channel of a position in the same feature. Superpixel-like segments for images,
 * windows for signals, blocks for volumes.
 */
export function gridSegments(sampleShape: number[], cell: number[]): Int32Array {
  const { spatial, channels } = splitSampleShape(sampleShape);
  if (cell.length !== spatial.length) throw new InvalidInputError('cell', `needs ${spatial.length} sizes, got ${cell.length}`);
  if (cell.some((c) => !Number.isInteger(c) || c < 1)) throw new InvalidInputError('cell', 'sizes must be positive integers');
  const cellsPerAxis = spatial.map((len, a) => Math.ceil(len / cell[a]));
  const positions = spatial.reduce((a, b) => a * b, 1);
  const out = new Int32Array(positions * channels);
  const pos = new Array(spatial.length).fill(0);
  for (let p = 0; p < positions; p++) {
    let id = 0;
    for (let a = 0; a < spatial.length; a++) id = id * cellsPerAxis[a] + Math.floor(pos[a] / cell[a]);
    out.fill(id, p * channels, (p + 1) * channels);
    for (let a = spatial.length - 1; a >= 0; a--) {
      if (++pos[a] < spatial[a]) break;
      pos[a] = 0;
    }
  }
  return out;
}
