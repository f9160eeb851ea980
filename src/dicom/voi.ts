/**
 * Stored value -> modality value -> display value transforms of PS3.3 C.7.6.3.1.4 / C.11.2:
 * BitsStored masking with sign extension, rescale slope/intercept (CT in HU), VOI windowing
 * (LINEAR, LINEAR_EXACT, SIGMOID) to [0, 1], and MONOCHROME1 inversion.
 */
import { InvalidInputError } from '../errors.js';

/** The VOI LUT functions of DICOM (0028,1056). */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** A VOI window. */
export interface Window {
  center: number;
  width: number;
}

/**
 * Keeps the `bitsStored` low bits (after shifting down by highBit + 1 - bitsStored) and, for
 * signed data, sign-extends them. Works on raw values read as signed or unsigned.
 */
export function storedValue(raw: number, bitsStored: number, highBit: number, signed: boolean): number {
  if (bitsStored >= 32) return signed ? raw | 0 : raw >>> 0;
  const shift = Math.max(0, highBit + 1 - bitsStored);
  const bits = (raw >>> shift) & (2 ** bitsStored - 1);
  if (!signed) return bits;
  return bits >= 2 ** (bitsStored - 1) ? bits - 2 ** bitsStored : bits;
}

/** The range of modality values the stored bits can represent: [min, max]. */
export function modalityRange(bitsStored: number, signed: boolean, slope: number, intercept: number): [number, number] {
  const lo = signed ? -(2 ** (bitsStored - 1)) : 0;
  const hi = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  const a = lo * slope + intercept;
  const b = hi * slope + intercept;
  return [Math.min(a, b), Math.max(a, b)];
}

/** Checks a window: finite center, width >= 1 (PS3.3 requires it for LINEAR). */
export function validateWindow(w: Window, what = 'window'): void {
  if (!Number.isFinite(w.center) || !Number.isFinite(w.width)) throw new InvalidInputError(what, `center and width must be finite numbers, got ${w.center}/${w.width}`);
  if (w.width < 1) throw new InvalidInputError(what, `width must be >= 1, got ${w.width}`);
}

/**
 * Maps a modality value through a VOI window to [0, 1] with the given function, exactly as the
 * formulas of PS3.3 C.11.2.1.2 (LINEAR uses the c - 0.5 / w - 1 convention).
 */
export function windowValue(x: number, w: Window, fn: VoiFunction = 'LINEAR'): number {
  const { center: c, width } = w;
  if (fn === 'SIGMOID') return 1 / (1 + Math.exp((-4 * (x - c)) / width));
  if (fn === 'LINEAR_EXACT') return Math.min(1, Math.max(0, (x - c) / width + 0.5));
  if (width <= 1) return x > c - 0.5 ? 1 : 0;
  if (x <= c - 0.5 - (width - 1) / 2) return 0;
  if (x > c - 0.5 + (width - 1) / 2) return 1;
  return (x - (c - 0.5)) / (width - 1) + 0.5;
}

/** Applies `windowValue` in place over an array of modality values. */
export function applyWindow(values: Float32Array, w: Window, fn: VoiFunction = 'LINEAR'): Float32Array {
  validateWindow(w);
  for (let i = 0; i < values.length; i++) values[i] = windowValue(values[i], w, fn);
  return values;
}

/** Parses a VOILUTFunction tag value (absent or unknown -> LINEAR, the DICOM default). */
export function parseVoiFunction(v: string | undefined): VoiFunction {
  const s = (v ?? '').trim().toUpperCase();
  return s === 'LINEAR_EXACT' || s === 'SIGMOID' ? s : 'LINEAR';
}
