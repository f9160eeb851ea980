/**
 * Stacking single-frame DICOM slices of one series into a volume [D, H, W, 1], ordered along
 * the slice normal by ImagePositionPatient (InstanceNumber when positions are absent).
 */
import { InvalidInputError } from '../errors.js';
import type { DicomImage } from './image.js';

/** A volume assembled from slices. */
export interface DicomVolume {
  /** Row-major [D, H, W, 1]. */
  data: Float32Array;
  shape: [number, number, number, 1];
  /** Voxel spacing in mm: [between slices, rows, cols] (NaN where unknown). */
  spacing: [number, number, number];
  /** ImagePositionPatient of the first slice in the output order. */
  origin?: [number, number, number];
  /** ImageOrientationPatient shared by the slices. */
  orientation?: [number, number, number, number, number, number];
  /** Source file of each output slice, in output order. */
  files: string[];
}

/** Unit normal of a slice plane: row cosines x column cosines. */
export function sliceNormal(o: readonly number[]): [number, number, number] {
  const n: [number, number, number] = [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
  const len = Math.hypot(...n) || 1;
  return [n[0] / len + 0, n[1] / len + 0, n[2] / len + 0]; // + 0 turns -0 into 0
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Sorts slices by their position along the slice normal (ascending) and stacks them into
 * [D, H, W, 1]. Throws InvalidInputError naming the offending file when slices disagree on
 * size, are multi-frame or colour, belong to different series, or share a position.
 */
export function stackDicomSlices(slices: DicomImage[]): DicomVolume {
  if (slices.length === 0) throw new InvalidInputError('slices', 'no slices given');
  const first = slices[0].meta;
  for (const s of slices) {
    const m = s.meta;
    if (m.frames !== 1 || m.samplesPerPixel !== 1) throw new InvalidInputError(m.file, `a volume slice must be one grey frame, got ${m.frames} frame(s) x ${m.samplesPerPixel} sample(s)`);
    if (m.rows !== first.rows || m.cols !== first.cols) throw new InvalidInputError(m.file, `slice is ${m.rows}x${m.cols} but ${first.file} is ${first.rows}x${first.cols}`);
    const a = m.ids?.seriesInstanceUID;
    const b = first.ids?.seriesInstanceUID;
    if (a && b && a !== b) throw new InvalidInputError(m.file, `belongs to series ${a}, not ${b} like ${first.file}`);
  }
  const orientation = first.imageOrientation;
  const havePositions = orientation !== undefined && slices.every((s) => s.meta.imagePosition !== undefined);
  let keyed: { s: DicomImage; key: number }[];
  if (havePositions) {
    const n = sliceNormal(orientation);
    for (const s of slices) {
      const o = s.meta.imageOrientation;
      if (!o || o.some((v, i) => Math.abs(v - orientation[i]) > 1e-3)) throw new InvalidInputError(s.meta.file, 'ImageOrientationPatient differs from the other slices');
    }
    keyed = slices.map((s) => {
      const p = s.meta.imagePosition!;
      return { s, key: p[0] * n[0] + p[1] * n[1] + p[2] * n[2] };
    });
  } else {
    keyed = slices.map((s, i) => ({ s, key: s.meta.instanceNumber ?? i }));
  }
  keyed.sort((a, b) => a.key - b.key);
  for (let i = 1; i < keyed.length; i++) {
    if (Math.abs(keyed[i].key - keyed[i - 1].key) < 1e-6) throw new InvalidInputError(keyed[i].s.meta.file, `has the same slice position as ${keyed[i - 1].s.meta.file}`);
  }
  const plane = first.rows * first.cols;
  const data = new Float32Array(plane * keyed.length);
  keyed.forEach(({ s }, i) => data.set(s.data.subarray(0, plane), i * plane));
  const gaps = keyed.slice(1).map((k, i) => k.key - keyed[i].key);
  const dz = havePositions ? median(gaps) : (first.sliceThickness ?? NaN);
  return {
    data,
    shape: [keyed.length, first.rows, first.cols, 1],
    spacing: [dz, first.pixelSpacing?.[0] ?? NaN, first.pixelSpacing?.[1] ?? NaN],
    origin: keyed[0].s.meta.imagePosition,
    orientation,
    files: keyed.map((k) => k.s.meta.file),
  };
}

/**
 * Turns an enhanced multi-frame grey image (one frame per plane, positions in its functional
 * groups) into a volume [D, H, W, 1] ordered along the slice normal.
 */
export function multiframeToVolume(image: DicomImage): DicomVolume {
  const m = image.meta;
  if (m.samplesPerPixel !== 1) throw new InvalidInputError(m.file, `a volume needs grey frames, got ${m.samplesPerPixel} samples per pixel`);
  const positions = m.framePositions;
  if (!positions || !m.imageOrientation) throw new InvalidInputError(m.file, 'has no per-frame ImagePositionPatient/ImageOrientationPatient to order its frames');
  const plane = m.rows * m.cols;
  const frames = positions.map((pos, f) => ({
    ...image,
    data: image.data.subarray(f * plane, (f + 1) * plane),
    shape: [1, m.rows, m.cols, 1] as [number, number, number, number],
    meta: { ...m, frames: 1, imagePosition: pos, file: `${m.file} frame ${f + 1}` },
  }));
  return stackDicomSlices(frames);
}
