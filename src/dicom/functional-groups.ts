/**
 * Enhanced multi-frame objects (Enhanced CT/MR/XA, SEG...) keep geometry, rescale and window
 * in functional group macros instead of top-level tags: per frame in
 * PerFrameFunctionalGroupsSequence, or for all frames in SharedFunctionalGroupsSequence.
 */
import { nums, seq, type DicomDataset } from './parse.js';

/**
 * Numeric values of `key` inside functional group macro `macro` (e.g. PixelMeasuresSequence)
 * for frame `frame` (0-based): the per-frame item first, then the shared one.
 */
export function functionalNums(ds: DicomDataset, macro: string, key: string, frame = 0): number[] | undefined {
  const perFrame = seq(ds, 'PerFrameFunctionalGroupsSequence')[frame];
  const shared = seq(ds, 'SharedFunctionalGroupsSequence')[0];
  for (const group of [perFrame, shared]) {
    const item = group ? seq(group, macro)[0] : undefined;
    const v = item ? nums(item, key) : undefined;
    if (v) return v;
  }
  return undefined;
}

/** A top-level numeric tag, else the same tag from the functional groups of `frame`. */
export function tagOrFunctional(ds: DicomDataset, key: string, macro: string, frame = 0): number[] | undefined {
  return nums(ds, key) ?? functionalNums(ds, macro, key, frame);
}

/** Rescale slope and intercept of each frame (top-level tags apply to all frames). */
export function frameRescales(ds: DicomDataset, frames: number): { slope: number; intercept: number }[] {
  return Array.from({ length: frames }, (_, f) => ({
    slope: tagOrFunctional(ds, 'RescaleSlope', 'PixelValueTransformationSequence', f)?.[0] ?? 1,
    intercept: tagOrFunctional(ds, 'RescaleIntercept', 'PixelValueTransformationSequence', f)?.[0] ?? 0,
  }));
}

/** ImagePositionPatient of each frame from per-frame PlanePositionSequence, when every frame has one. */
export function framePositions(ds: DicomDataset, frames: number): [number, number, number][] | undefined {
  if (seq(ds, 'PerFrameFunctionalGroupsSequence').length !== frames) return undefined;
  const out: [number, number, number][] = [];
  for (let f = 0; f < frames; f++) {
    const p = functionalNums(ds, 'PlanePositionSequence', 'ImagePositionPatient', f);
    if (!p || p.length < 3) return undefined;
    out.push([p[0], p[1], p[2]]);
  }
  return out;
}
