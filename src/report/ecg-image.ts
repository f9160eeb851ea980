/**
 * Raster pictures of ECG explanations (browser-safe): a signal drawn as a line (Bresenham)
 * coloured by relevance over shaded P/QRS/T bands, and the 12-lead grid view (3 rows x 4
 * columns, standard layout I II III | aVR aVL aVF | V1 V2 V3 | V4 V5 V6 down the columns).
 */
import { InvalidInputError } from '../errors.js';
import type { WaveSegment } from '../data/annotations.js';
import { codesFromSegments } from '../explain/ecg-aggregate.js';
import { colormap, scaleToUnit, WAVE_BAND_COLORS, type ColormapName } from './colormap.js';
import { blankImage, rgbToPng, type RgbImage } from './overlay.js';

/** Options of `ecgTraceImage`. */
export interface TraceImageOptions {
  /** Picture size in pixels (default 600 x 120). */
  width?: number;
  height?: number;
  /** Colormap of the relevance (default 'jet', 'seismic' when signed). */
  colormap?: ColormapName;
  /** Signed relevance scale (default: signed when any value is negative). */
  signed?: boolean;
  /** Shared scale: [lo, hi] (unsigned) or max |v| = hi (signed); default from this trace. */
  range?: [number, number];
  /** Shared amplitude range of the signal [min, max]; default this signal's. */
  amplitude?: [number, number];
  /** Wave bands: per-sample codes (0 none, 1 P, 2 QRS, 3 T) or LUDB-style segments. */
  waves?: ArrayLike<number> | WaveSegment[];
}

/** Sets one pixel (ignored outside the picture). */
function setPixel(img: RgbImage, x: number, y: number, rgb: readonly number[]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 3;
  img.data[o] = rgb[0];
  img.data[o + 1] = rgb[1];
  img.data[o + 2] = rgb[2];
}

/** Draws a 1-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham). */
export function drawLine(img: RgbImage, x0: number, y0: number, x1: number, y1: number, rgb: readonly number[]): void {
  const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    setPixel(img, x0, y0, rgb);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

function waveCodes(waves: TraceImageOptions['waves'], length: number): ArrayLike<number> | undefined {
  if (waves === undefined) return undefined;
  if (Array.isArray(waves) && (waves.length === 0 || typeof waves[0] === 'object')) return codesFromSegments(waves as WaveSegment[], length);
  const codes = waves as ArrayLike<number>;
  if (codes.length !== length) throw new InvalidInputError('waves', `${codes.length} wave codes for a signal of ${length} samples`);
  return codes;
}

/**
 * A signal as a line picture: sample i at column round(i (W-1)/(T-1)), amplitude min..max at
 * rows H-1..0; each segment coloured by the mean relevance of its two samples (black without
 * relevance); wave bands shade the columns of their samples.
 */
export function ecgTraceImage(signal: ArrayLike<number>, relevance?: ArrayLike<number>, options: TraceImageOptions = {}): RgbImage {
  const t = signal.length;
  if (t < 2) throw new InvalidInputError('signal', `needs at least 2 samples, got ${t}`);
  if (relevance && relevance.length !== t) throw new InvalidInputError('relevance', `${relevance.length} values for a signal of ${t} samples`);
  const width = options.width ?? 600, height = options.height ?? 120;
  const img = blankImage(width, height);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < t; i++) {
    if (!Number.isFinite(signal[i])) throw new InvalidInputError('signal', `value ${signal[i]} at sample ${i} is not finite`);
    lo = Math.min(lo, signal[i]);
    hi = Math.max(hi, signal[i]);
  }
  if (options.amplitude) [lo, hi] = options.amplitude;
  const col = (i: number) => Math.round((i * (width - 1)) / (t - 1));
  const row = (v: number) => (hi > lo ? Math.round((height - 1) * (1 - Math.min(1, Math.max(0, (v - lo) / (hi - lo))))) : Math.floor(height / 2));
  const codes = waveCodes(options.waves, t);
  if (codes) {
    for (let i = 0; i < t; i++) {
      const c = codes[i];
      if (!c) continue;
      const a = i > 0 ? Math.ceil((col(i - 1) + col(i)) / 2) : 0, b = i + 1 < t ? Math.floor((col(i) + col(i + 1)) / 2) : width - 1;
      for (let x = a; x <= b; x++) for (let y = 0; y < height; y++) setPixel(img, x, y, WAVE_BAND_COLORS[c] ?? WAVE_BAND_COLORS[0]);
    }
  }
  const scaled = relevance ? scaleToUnit(relevance, { signed: options.signed, range: options.range }) : undefined;
  const signed = options.signed ?? (relevance ? Array.prototype.some.call(relevance, (v: number) => v < 0) : false);
  const map = options.colormap ?? (signed ? 'seismic' : 'jet');
  for (let i = 0; i + 1 < t; i++) {
    const rgb = scaled ? colormap(map, 0.5 * (scaled[i] + scaled[i + 1])) : [0, 0, 0];
    drawLine(img, col(i), row(signal[i]), col(i + 1), row(signal[i + 1]), rgb);
  }
  return img;
}

/** Options of the 12-lead grid. */
export interface GridImageOptions extends Omit<TraceImageOptions, 'width' | 'height' | 'range' | 'amplitude' | 'waves'> {
  /** Panel size (default 300 x 100) and the gap between panels (default 4, grey). */
  panelWidth?: number;
  panelHeight?: number;
  gap?: number;
  /** Rows of the grid (default 3); columns follow from the lead count. */
  rows?: number;
  /** Wave bands shared by all leads (codes or segments). */
  waves?: ArrayLike<number> | WaveSegment[];
}

/**
 * The grid view of a multi-lead ECG `signals` [T, C] (channels last, as one flat array):
 * lead k goes to row k % rows, column floor(k / rows), so 12 leads in standard order fill a
 * 3 x 4 grid. Relevance ([T, C], optional) and amplitude share one scale across leads.
 */
export function ecgGridImage(signals: ArrayLike<number>, leads: number, relevance?: ArrayLike<number>, options: GridImageOptions = {}): RgbImage {
  if (!(Number.isInteger(leads) && leads >= 1) || signals.length % leads !== 0) throw new InvalidInputError('leads', `${signals.length} values do not split into ${leads} leads`);
  if (relevance && relevance.length !== signals.length) throw new InvalidInputError('relevance', `${relevance.length} values for ${signals.length} signal values`);
  const t = signals.length / leads;
  const rows = options.rows ?? 3, cols = Math.ceil(leads / rows);
  const pw = options.panelWidth ?? 300, ph = options.panelHeight ?? 100, gap = options.gap ?? 4;
  const img = blankImage(cols * pw + (cols - 1) * gap, rows * ph + (rows - 1) * gap, [160, 160, 160]);
  let lo = Infinity, hi = -Infinity, maxAbs = 0, rlo = Infinity, rhi = -Infinity;
  for (let i = 0; i < signals.length; i++) {
    lo = Math.min(lo, signals[i]);
    hi = Math.max(hi, signals[i]);
    if (relevance) {
      rlo = Math.min(rlo, relevance[i]);
      rhi = Math.max(rhi, relevance[i]);
      maxAbs = Math.max(maxAbs, Math.abs(relevance[i]));
    }
  }
  const signed = options.signed ?? rlo < 0;
  const range: [number, number] | undefined = relevance ? (signed ? [-maxAbs || -1, maxAbs || 1] : [rlo, rhi > rlo ? rhi : rlo + 1]) : undefined;
  for (let k = 0; k < leads; k++) {
    const lead = Float32Array.from({ length: t }, (_, i) => signals[i * leads + k]);
    const rel = relevance ? Float32Array.from({ length: t }, (_, i) => relevance[i * leads + k]) : undefined;
    const panel = ecgTraceImage(lead, rel, { ...options, width: pw, height: ph, range, signed, amplitude: hi > lo ? [lo, hi] : undefined });
    const x0 = Math.floor(k / rows) * (pw + gap), y0 = (k % rows) * (ph + gap);
    for (let y = 0; y < ph; y++) img.data.set(panel.data.subarray(y * pw * 3, (y + 1) * pw * 3), ((y0 + y) * img.width + x0) * 3);
  }
  return img;
}

/** PNG bytes of `ecgTraceImage` (one lead) or `ecgGridImage` (several leads), signals [T, C] flat. */
export function ecgPicturePng(signals: ArrayLike<number>, leads: number, relevance?: ArrayLike<number>, options: GridImageOptions & { width?: number; height?: number } = {}): Uint8Array {
  if (leads === 1) return rgbToPng(ecgTraceImage(signals, relevance, options));
  return rgbToPng(ecgGridImage(signals, leads, relevance, options));
}
