/**
 * DICOM Segmentation (SEG) reading: binary or fractional frames, one per segment and plane,
 * merged into a label map [D, H, W, 1] (value = segment number, 0 = background) with planes
 * ordered along the slice normal like `stackDicomSlices`.
 */
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../errors.js';
import { decodeDicomImage } from './image.js';
import { functionalNums } from './functional-groups.js';
import { num, parseDicom, seq, str, type DicomDataset } from './parse.js';
import { sliceNormal } from './volume.js';

/** SOP Class UID of Segmentation Storage. */
export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';

/** One segment of a SEG. */
export interface DicomSegment {
  number: number;
  label?: string;
  /** Segmented property type code meaning, e.g. "Liver". */
  property?: string;
}

/** A decoded SEG as a label map. */
export interface DicomSegLabelMap {
  /** Row-major [D, H, W]: the segment number covering each voxel (0 = none; the higher number wins on overlap). */
  labels: Uint8Array;
  shape: [number, number, number, 1];
  segments: DicomSegment[];
  /** ImagePositionPatient of each output plane. */
  positions: ([number, number, number] | undefined)[];
  /** SOP instance UIDs of the source images each output plane derives from. */
  sourceSopInstanceUIDs: (string | undefined)[];
  orientation?: number[];
  pixelSpacing?: [number, number];
}

function first(ds: DicomDataset | undefined, key: string): DicomDataset | undefined {
  return ds ? seq(ds, key)[0] : undefined;
}

/**
 * Reads a DICOM SEG into a label map. FRACTIONAL segmentations are thresholded at half of
 * MaximumFractionalValue. Throws InvalidInputError when the file is not a SEG.
 */
export async function readDicomSeg(bytes: Uint8Array, file: string): Promise<DicomSegLabelMap> {
  const p = parseDicom(bytes, file);
  const ds = p.dataset;
  if (str(ds, 'SOPClassUID') !== SEG_SOP_CLASS_UID && str(ds, 'Modality') !== 'SEG') throw new InvalidInputError(file, `is not a DICOM Segmentation (SOP class ${str(ds, 'SOPClassUID') ?? 'missing'})`);
  const type = str(ds, 'SegmentationType') ?? 'BINARY';
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new UnsupportedError(file, `SegmentationType ${type} is not supported`);
  const image = await decodeDicomImage(p, { stripIdentifiers: true, invertMonochrome1: false });
  const { rows, cols, frames } = image.meta;
  const threshold = type === 'FRACTIONAL' ? (num(ds, 'MaximumFractionalValue') ?? 255) / 2 : 0.5;
  const segments: DicomSegment[] = seq(ds, 'SegmentSequence').map((s) => ({
    number: num(s, 'SegmentNumber') ?? 0,
    label: str(s, 'SegmentLabel'),
    property: str(first(s, 'SegmentedPropertyTypeCodeSequence') ?? {}, 'CodeMeaning'),
  }));
  if (segments.some((s) => s.number < 1 || s.number > 255)) throw new UnsupportedError(file, 'segment numbers must lie in 1..255 for a Uint8 label map');
  const perFrame = seq(ds, 'PerFrameFunctionalGroupsSequence');
  if (perFrame.length !== frames) throw new CorruptFileError(file, `${perFrame.length} per-frame functional groups for ${frames} frames`);
  const orientation = functionalNums(ds, 'PlaneOrientationSequence', 'ImageOrientationPatient');
  const spacing = functionalNums(ds, 'PixelMeasuresSequence', 'PixelSpacing');
  const normal = orientation && orientation.length >= 6 ? sliceNormal(orientation) : undefined;
  // Group frames into planes by position (frames of different segments share a plane).
  const planes = new Map<string, { key: number; pos?: [number, number, number]; source?: string; frames: { f: number; segment: number }[] }>();
  perFrame.forEach((g, f) => {
    const pos = functionalNums(ds, 'PlanePositionSequence', 'ImagePositionPatient', f);
    const segment = functionalNums(ds, 'SegmentIdentificationSequence', 'ReferencedSegmentNumber', f)?.[0] ?? segments[0]?.number ?? 1;
    const source = str(first(first(g, 'DerivationImageSequence'), 'SourceImageSequence') ?? {}, 'ReferencedSOPInstanceUID');
    const id = pos ? pos.map((v) => v.toFixed(3)).join('\\') : `frame${f}`;
    const key = pos && normal ? pos[0] * normal[0] + pos[1] * normal[1] + pos[2] * normal[2] : f;
    const plane = planes.get(id) ?? { key, pos: pos ? (pos.slice(0, 3) as [number, number, number]) : undefined, source, frames: [] };
    plane.frames.push({ f, segment });
    planes.set(id, plane);
  });
  const ordered = [...planes.values()].sort((a, b) => a.key - b.key);
  const plane = rows * cols;
  const labels = new Uint8Array(plane * ordered.length);
  ordered.forEach((pl, z) => {
    for (const { f, segment } of [...pl.frames].sort((a, b) => a.segment - b.segment)) {
      const src = image.data.subarray(f * plane, (f + 1) * plane);
      for (let i = 0; i < plane; i++) if (src[i] > threshold) labels[z * plane + i] = segment;
    }
  });
  return {
    labels,
    shape: [ordered.length, rows, cols, 1],
    segments,
    positions: ordered.map((pl) => pl.pos),
    sourceSopInstanceUIDs: ordered.map((pl) => pl.source),
    orientation,
    pixelSpacing: spacing && spacing.length >= 2 ? [spacing[0], spacing[1]] : undefined,
  };
}
