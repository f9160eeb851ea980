/**
 * Colormaps for attribution pictures (browser-safe): `jet` and `seismic` from matplotlib's
 * segment data (piecewise linear, hand-copied: a few numbers), `viridis` from d3-scale-chromatic
 * (matplotlib's 256-colour ramp). `seismic` is diverging: use it for signed relevance.
 */
import { interpolateViridis } from 'd3-scale-chromatic';
import { InvalidInputError } from '../errors.js';

/** Colormap names. */
export type ColormapName = 'jet' | 'viridis' | 'seismic';

/** An RGB colour, 0..255 integers. */
export type Rgb = [number, number, number];

type Segments = [number, number][];

// matplotlib _jet_data and _seismic_data: (x, value) anchors per channel.
const JET: [Segments, Segments, Segments] = [
  [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
];
const SEISMIC: [Segments, Segments, Segments] = [
  [[0, 0], [0.25, 0], [0.5, 1], [0.75, 1], [1, 0.5]],
  [[0, 0], [0.25, 0], [0.5, 1], [0.75, 0], [1, 0]],
  [[0, 0.3], [0.25, 1], [0.5, 1], [0.75, 0], [1, 0]],
];

function piecewise(seg: Segments, t: number): number {
  for (let k = 1; k < seg.length; k++) {
    if (t <= seg[k][0]) {
      const [x0, y0] = seg[k - 1], [x1, y1] = seg[k];
      return y0 + ((y1 - y0) * (t - x0)) / (x1 - x0);
    }
  }
  return seg[seg.length - 1][1];
}

/** Colour of `t` (clamped to [0, 1]; NaN maps to 0) under colormap `name`. */
export function colormap(name: ColormapName, t: number): Rgb {
  const x = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
  if (name === 'jet' || name === 'seismic') {
    const s = name === 'jet' ? JET : SEISMIC;
    return [0, 1, 2].map((c) => Math.round(255 * piecewise(s[c], x))) as Rgb;
  }
  if (name === 'viridis') {
    const hex = interpolateViridis(x);
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
  }
  throw new InvalidInputError('colormap', `unknown colormap '${String(name)}' (jet, viridis, seismic)`);
}

/** A 256-entry lookup table of `name` (entry k is the colour of k / 255), flat RGB. */
export function colormapTable(name: ColormapName): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) out.set(colormap(name, k / 255), k * 3);
  return out;
}

/** How values map to [0, 1] before colouring. */
export interface ScaleOptions {
  /** Signed: 0 maps to 0.5 and +-max|v| to 1/0. Default: signed when any value is negative. */
  signed?: boolean;
  /** Fixed [lo, hi] (unsigned) or max |v| = hi (signed), to share a scale between pictures. */
  range?: [number, number];
}

/** Maps values to [0, 1] for a colormap (min-max, or symmetric around 0 when signed); NaN/Inf rejected. */
export function scaleToUnit(values: ArrayLike<number>, options: ScaleOptions = {}): Float32Array {
  let lo = Infinity, hi = -Infinity, maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InvalidInputError('relevance', `value ${v} at index ${i} is not finite`);
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const signed = options.signed ?? lo < 0;
  if (options.range) {
    const [a, b] = options.range;
    if (!(Number.isFinite(a) && Number.isFinite(b) && b > a)) throw new InvalidInputError('range', `[${a}, ${b}] must be finite with hi > lo`);
    [lo, hi] = [a, b];
    maxAbs = Math.max(Math.abs(a), Math.abs(b));
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    if (signed) out[i] = maxAbs > 0 ? Math.min(1, Math.max(0, 0.5 + (0.5 * v) / maxAbs)) : 0.5;
    else out[i] = hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0;
  }
  return out;
}

/** Pale band colours of ECG waves by code (0 none, 1 P, 2 QRS, 3 T), shared by SVG and PNG traces. */
export const WAVE_BAND_COLORS: readonly [number, number, number][] = [[255, 255, 255], [205, 225, 255], [255, 215, 215], [215, 245, 215]];

/** `#rrggbb` of an RGB triple. */
export function rgbHex(rgb: readonly number[]): string {
  return '#' + rgb.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
}
