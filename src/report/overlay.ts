/**
 * Heatmap pictures of attributions (browser-safe): a colormap over a grey image, as RGB bytes
 * or PNG bytes (via data/png.ts), for 2D images and a slice of 3D volumes.
 */
import { InvalidInputError } from '../errors.js';
import { encodePngImage } from '../data/png.js';
import type { Attribution } from '../explain/attribution.js';
import { colormap, scaleToUnit, type ColormapName, type ScaleOptions } from './colormap.js';

/** An RGB picture, row-major [height, width, 3]. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A blank RGB picture filled with `rgb` (default white). */
export function blankImage(width: number, height: number, rgb: [number, number, number] = [255, 255, 255]): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new InvalidInputError('image', `size ${width}x${height} must be positive integers`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height };
}

/** PNG bytes of an RGB picture. */
export function rgbToPng(img: RgbImage): Uint8Array {
  return encodePngImage({ data: img.data, shape: [img.height, img.width, 3] }, { inputRange: 'raw' });
}

/** Options of `heatmapOverlay`. */
export interface OverlayOptions extends ScaleOptions {
  /** Default 'jet', or 'seismic' for signed values. */
  colormap?: ColormapName;
  /** Weight of the heatmap over the grey image (default 0.5; 1 = heatmap only). */
  alpha?: number;
  /** Scale the weight by the heat value too (alpha * t), so cold pixels keep the grey image. */
  alphaByHeat?: boolean;
  /** Display range [lo, hi] of the grey image (e.g. a window); default its min/max. */
  greyRange?: [number, number];
}

/**
 * Blends a colour-mapped heatmap over a grey image, both [height, width] row-major:
 * pixel = (1 - a) * grey + a * colour, a = alpha (or alpha * t with `alphaByHeat`), grey
 * min-max scaled (or clamped to `greyRange`) to 0..255.
 */
export function heatmapOverlay(grey: ArrayLike<number>, heat: ArrayLike<number>, width: number, height: number, options: OverlayOptions = {}): RgbImage {
  const n = width * height;
  if (grey.length !== n || heat.length !== n) throw new InvalidInputError('overlay', `image (${grey.length}) and heatmap (${heat.length}) need ${width}x${height} = ${n} values`);
  const alpha = options.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new InvalidInputError('alpha', `must lie in [0, 1], got ${alpha}`);
  const g = scaleToUnit(grey, { signed: false, range: options.greyRange });
  const t = scaleToUnit(heat, options);
  const signed = options.signed ?? Array.prototype.some.call(heat, (v: number) => v < 0);
  const map = options.colormap ?? (signed ? 'seismic' : 'jet');
  const img = blankImage(width, height);
  for (let i = 0; i < n; i++) {
    const c = colormap(map, t[i]);
    const a = options.alphaByHeat ? alpha * t[i] : alpha;
    for (let k = 0; k < 3; k++) img.data[i * 3 + k] = Math.round((1 - a) * 255 * g[i] + a * c[k]);
  }
  return img;
}

/**
 * Overlay of sample `sample` of an image ([N, H, W, C]) or volume ([N, D, H, W, C]) attribution
 * over its input: channels averaged (input) and summed (attribution); volumes show depth slice
 * `slice` (default the middle). Returns PNG bytes.
 */
export function attributionOverlayPng(attribution: Attribution, input: ArrayLike<number>, options: OverlayOptions & { sample?: number; slice?: number } = {}): Uint8Array {
  const shape = attribution.shape;
  if (attribution.rank !== 2 && attribution.rank !== 3) throw new InvalidInputError('attribution', `overlays need an image or volume attribution, got rank ${attribution.rank}`);
  if (input.length !== attribution.values.length) throw new InvalidInputError('input', `${input.length} values for an attribution of shape [${shape}]`);
  const sample = options.sample ?? 0;
  const values = attribution.sampleValues(sample);
  const c = shape[shape.length - 1], w = shape[shape.length - 2], h = shape[shape.length - 3];
  const depth = attribution.rank === 3 ? shape[1] : 1;
  const slice = options.slice ?? Math.floor(depth / 2);
  if (!(Number.isInteger(slice) && slice >= 0 && slice < depth)) throw new InvalidInputError('slice', `${slice} outside [0, ${depth})`);
  const off = sample * values.length + slice * h * w * c;
  const grey = new Float32Array(h * w), heat = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < c; k++) {
      grey[p] += input[off + p * c + k] / c;
      heat[p] += values[slice * h * w * c + p * c + k];
    }
  }
  return rgbToPng(heatmapOverlay(grey, heat, w, h, options));
}
