/**
 * PNG decode/encode (browser-safe, via fast-png: pure JavaScript with fflate, no Node zlib).
 * Images come out channels-last as Float32Array [H, W, C] for the tensor pipeline.
 */
import { decode, encode, convertIndexedToRgb, hasPngSignature, type DecodedPng } from 'fast-png';
import { CorruptFileError, InvalidInputError } from '../errors.js';

/** A decoded image, channels last. */
export interface DecodedImage {
  /** Pixel values, row-major [H, W, C]: raw levels (0..maxValue) or 0..1 when normalised. */
  data: Float32Array;
  shape: [number, number, number];
  /** Bits per sample of the file (1, 2, 4, 8 or 16; palette images report 8). */
  bitDepth: number;
  /** Largest level of the file's bit depth (255, 65535, ...). */
  maxValue: number;
}

/** Options of `decodePngImage`. */
export interface PngDecodeOptions {
  /** Divide by the bit depth's maximum so values lie in [0, 1] (default false: raw levels). */
  normalize?: boolean;
  /** `grey` converts colour to luminance (ITU-R BT.601) and drops alpha; default keeps the channels. */
  channels?: 'keep' | 'grey';
}

/** Decodes PNG bytes (grey, grey+alpha, RGB, RGBA or palette; 1-16 bits). `file` names it in errors. */
export function decodePngImage(bytes: Uint8Array, file: string, opts: PngDecodeOptions = {}): DecodedImage {
  if (!hasPngSignature(bytes)) throw new CorruptFileError(file, 'not a PNG file (bad signature)', 0);
  let png: DecodedPng;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (e) {
    throw new CorruptFileError(file, `malformed or truncated PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  let channels = png.channels;
  let depth: number = png.depth;
  let levels: ArrayLike<number> = png.data;
  if (png.palette) {
    levels = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
    depth = 8;
  } else if (depth < 8) {
    levels = unpackBits(png.data, width, height, channels, depth);
  }
  const n = width * height;
  if (levels.length < n * channels) throw new CorruptFileError(file, `decoded ${levels.length} samples, expected ${n * channels}`);
  const maxValue = 2 ** depth - 1;
  const scale = opts.normalize ? 1 / maxValue : 1;
  if ((opts.channels ?? 'keep') === 'grey' && channels > 1) {
    const out = new Float32Array(n);
    const colour = channels >= 3;
    for (let i = 0; i < n; i++) {
      const p = i * channels;
      out[i] = (colour ? 0.299 * levels[p] + 0.587 * levels[p + 1] + 0.114 * levels[p + 2] : levels[p]) * scale;
    }
    return { data: out, shape: [height, width, 1], bitDepth: depth, maxValue };
  }
  const out = new Float32Array(n * channels);
  for (let i = 0; i < out.length; i++) out[i] = levels[i] * scale;
  return { data: out, shape: [height, width, channels], bitDepth: depth, maxValue };
}

/** Expands 1/2/4-bit samples (rows padded to whole bytes) to one value per sample. */
function unpackBits(packed: ArrayLike<number>, width: number, height: number, channels: number, depth: number): Uint8Array {
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < perRow; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * perRow + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Options of `encodePngImage`. */
export interface PngEncodeOptions {
  /** 8 or 16 bits per sample (default 8). */
  bitDepth?: 8 | 16;
  /** `unit`: values in [0, 1] are scaled to the full range (default); `raw`: values are levels already. */
  inputRange?: 'unit' | 'raw';
}

/**
 * Encodes a [H, W, C] image (C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as PNG bytes. Values are
 * rounded and clamped to the bit depth's range; NaN or infinite values are rejected.
 */
export function encodePngImage(image: { data: ArrayLike<number>; shape: number[] }, opts: PngEncodeOptions = {}): Uint8Array {
  const { data, shape } = image;
  if (shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s > 0)) throw new InvalidInputError('image', `shape must be [H, W, C] of positive integers, got [${shape.join(', ')}]`);
  const [h, w, c] = shape;
  if (c < 1 || c > 4) throw new InvalidInputError('image', `PNG holds 1 to 4 channels, got ${c}`);
  if (data.length !== h * w * c) throw new InvalidInputError('image', `data has ${data.length} values, shape [${shape.join(', ')}] needs ${h * w * c}`);
  const depth = opts.bitDepth ?? 8;
  if (depth !== 8 && depth !== 16) throw new InvalidInputError('bitDepth', `must be 8 or 16, got ${depth}`);
  const max = 2 ** depth - 1;
  const scale = (opts.inputRange ?? 'unit') === 'unit' ? max : 1;
  const out = depth === 8 ? new Uint8Array(data.length) : new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new InvalidInputError('image', `value ${v} at index ${i} is not finite`);
    out[i] = Math.min(max, Math.max(0, Math.round(v * scale)));
  }
  return encode({ width: w, height: h, data: out, depth, channels: c });
}
