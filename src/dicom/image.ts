/**
 * Reading DICOM images into Float32 tensors [frames, rows, cols, samples] of modality values
 * (HU for CT), optionally windowed to [0, 1], with the geometry and identity metadata.
 */
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../errors.js';
import type { ProgressCallback } from '../progress.js';
import { assertDecodableSyntax } from './codecs.js';
import { framePositions, frameRescales, tagOrFunctional } from './functional-groups.js';
import { pixelFrames, type PixelLayout } from './frames.js';
import { num, nums, parseDicom, str, type ParsedDicom } from './parse.js';
import { applyWindow, modalityRange, parseVoiFunction, storedValue, validateWindow, type VoiFunction, type Window } from './voi.js';

/** Patient and study identifiers; dropped when `stripIdentifiers` is set. */
export interface DicomIdentifiers {
  patientId?: string;
  patientName?: string;
  patientBirthDate?: string;
  accessionNumber?: string;
  studyDate?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
}

/** What a DICOM image is and where it lies in the patient. */
export interface DicomImageMeta {
  file: string;
  sopClassUID?: string;
  modality?: string;
  transferSyntaxUID: string;
  /** PhotometricInterpretation in the file. JPEG-decoded YBR colour arrives as RGB. */
  photometric: string;
  rows: number;
  cols: number;
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** The first window the file suggests, if any. */
  fileWindow?: Window;
  voiFunction: VoiFunction;
  /** The window applied to the output (undefined: output holds modality values). */
  appliedWindow?: Window;
  /** True when MONOCHROME1 was inverted so that higher output = brighter. */
  inverted: boolean;
  /** Row spacing, column spacing in mm (PixelSpacing, else ImagerPixelSpacing). */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  /** ImagePositionPatient: x, y, z of the first pixel in mm. */
  imagePosition?: [number, number, number];
  /** ImagePositionPatient of each frame of an enhanced multi-frame object, when given per frame. */
  framePositions?: [number, number, number][];
  /** ImageOrientationPatient: row direction cosines then column direction cosines. */
  imageOrientation?: [number, number, number, number, number, number];
  instanceNumber?: number;
  /** Undefined when `stripIdentifiers` was set. */
  ids?: DicomIdentifiers;
}

/** A decoded DICOM image. */
export interface DicomImage {
  /** Row-major [frames, rows, cols, samples]. */
  data: Float32Array;
  shape: [number, number, number, number];
  meta: DicomImageMeta;
}

/** Options of `readDicomImage`. */
export interface DicomImageOptions {
  /** 'none' (default): modality values; 'file': the file's first window; or an explicit window. Windowed output is in [0, 1]. */
  window?: 'none' | 'file' | Window;
  /** Overrides the file's VOILUTFunction. */
  voiFunction?: VoiFunction;
  /** Invert MONOCHROME1 so that higher values are brighter, like MONOCHROME2 (default true). */
  invertMonochrome1?: boolean;
  /** Drop patient/study identifiers from the metadata (default false). */
  stripIdentifiers?: boolean;
  onProgress?: ProgressCallback;
}

function tuple<N extends number>(v: number[] | undefined, n: N): number[] | undefined {
  return v && v.length >= n ? v.slice(0, n) : undefined;
}

function requirePositiveInt(p: ParsedDicom, key: string, fallback?: number): number {
  const v = num(p.dataset, key) ?? fallback;
  if (v === undefined) throw new CorruptFileError(p.file, `missing required tag ${key}`);
  if (!Number.isInteger(v) || v < 1) throw new CorruptFileError(p.file, `${key} must be a positive integer, got ${v}`);
  return v;
}

/** Reads the identifiers kept in image metadata. */
export function readIdentifiers(p: ParsedDicom): DicomIdentifiers {
  const ds = p.dataset;
  return {
    patientId: str(ds, 'PatientID'),
    patientName: str(ds, 'PatientName'),
    patientBirthDate: str(ds, 'PatientBirthDate'),
    accessionNumber: str(ds, 'AccessionNumber'),
    studyDate: str(ds, 'StudyDate'),
    studyInstanceUID: str(ds, 'StudyInstanceUID'),
    seriesInstanceUID: str(ds, 'SeriesInstanceUID'),
    sopInstanceUID: str(ds, 'SOPInstanceUID') ?? str(p.meta, 'MediaStorageSOPInstanceUID'),
  };
}

/** Reads the pixel layout of an image dataset, with typed errors for missing/invalid tags. */
export function readPixelLayout(p: ParsedDicom): PixelLayout {
  if (p.dataset.PixelData === undefined || p.dataset.PixelData === null) {
    const sop = str(p.dataset, 'SOPClassUID');
    throw new InvalidInputError(p.file, `has no PixelData (7FE0,0010): not an image${sop ? ` (SOP class ${sop})` : ''}`);
  }
  assertDecodableSyntax(p.transferSyntaxUID, p.file);
  const bitsAllocated = requirePositiveInt(p, 'BitsAllocated');
  const pixelRepresentation = num(p.dataset, 'PixelRepresentation') ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new CorruptFileError(p.file, `PixelRepresentation must be 0 or 1, got ${pixelRepresentation}`);
  return {
    rows: requirePositiveInt(p, 'Rows'),
    cols: requirePositiveInt(p, 'Columns'),
    samplesPerPixel: requirePositiveInt(p, 'SamplesPerPixel', 1),
    bitsAllocated,
    pixelRepresentation,
    frames: requirePositiveInt(p, 'NumberOfFrames', 1),
    planarConfiguration: num(p.dataset, 'PlanarConfiguration') ?? 0,
    transferSyntaxUID: p.transferSyntaxUID,
  };
}

/** Builds the image metadata (without output-specific fields) from a parsed dataset. */
function readMeta(p: ParsedDicom, layout: PixelLayout, stripIds: boolean): DicomImageMeta {
  const ds = p.dataset;
  const wc = tagOrFunctional(ds, 'WindowCenter', 'FrameVOILUTSequence')?.[0];
  const ww = tagOrFunctional(ds, 'WindowWidth', 'FrameVOILUTSequence')?.[0];
  const spacing = tuple(nums(ds, 'PixelSpacing') ?? nums(ds, 'ImagerPixelSpacing') ?? tagOrFunctional(ds, 'PixelSpacing', 'PixelMeasuresSequence'), 2);
  const rescale = frameRescales(ds, 1)[0];
  const bitsStored = num(ds, 'BitsStored') ?? layout.bitsAllocated;
  if (bitsStored < 1 || bitsStored > layout.bitsAllocated) throw new CorruptFileError(p.file, `BitsStored ${bitsStored} is not within 1..BitsAllocated (${layout.bitsAllocated})`);
  return {
    file: p.file,
    sopClassUID: str(ds, 'SOPClassUID'),
    modality: str(ds, 'Modality'),
    transferSyntaxUID: p.transferSyntaxUID,
    photometric: str(ds, 'PhotometricInterpretation') ?? (layout.samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB'),
    rows: layout.rows,
    cols: layout.cols,
    frames: layout.frames,
    samplesPerPixel: layout.samplesPerPixel,
    bitsAllocated: layout.bitsAllocated,
    bitsStored,
    pixelRepresentation: layout.pixelRepresentation,
    rescaleSlope: rescale.slope,
    rescaleIntercept: rescale.intercept,
    fileWindow: wc !== undefined && ww !== undefined && ww >= 1 ? { center: wc, width: ww } : undefined,
    voiFunction: parseVoiFunction(str(ds, 'VOILUTFunction')),
    inverted: false,
    pixelSpacing: spacing && spacing[0] > 0 && spacing[1] > 0 ? (spacing as [number, number]) : undefined,
    sliceThickness: tagOrFunctional(ds, 'SliceThickness', 'PixelMeasuresSequence')?.[0],
    imagePosition: tuple(tagOrFunctional(ds, 'ImagePositionPatient', 'PlanePositionSequence'), 3) as DicomImageMeta['imagePosition'],
    imageOrientation: tuple(tagOrFunctional(ds, 'ImageOrientationPatient', 'PlaneOrientationSequence'), 6) as DicomImageMeta['imageOrientation'],
    framePositions: layout.frames > 1 ? framePositions(ds, layout.frames) : undefined,
    instanceNumber: num(ds, 'InstanceNumber'),
    ids: stripIds ? undefined : readIdentifiers(p),
  };
}

/** Resolves the window option against the file's suggestion. */
function chooseWindow(opt: DicomImageOptions['window'], meta: DicomImageMeta): Window | undefined {
  if (opt === undefined || opt === 'none') return undefined;
  if (opt === 'file') {
    if (!meta.fileWindow) throw new InvalidInputError('window', `'file' was asked but ${meta.file} has no WindowCenter/WindowWidth`);
    return meta.fileWindow;
  }
  validateWindow(opt);
  return opt;
}

/** Codecs convert YBR colour to RGB themselves (libjpeg for JPEG, the inverse MCT for JPEG 2000); elsewhere it is not supported. */
function assertColourDecodable(meta: DicomImageMeta): void {
  if (!/^YBR/.test(meta.photometric) || meta.samplesPerPixel !== 3) return;
  const jpeg = /^1\.2\.840\.10008\.1\.2\.4\.5[01]$/.test(meta.transferSyntaxUID);
  const j2k = /^1\.2\.840\.10008\.1\.2\.4\.9[01]$/.test(meta.transferSyntaxUID) && /^YBR_(ICT|RCT)$/.test(meta.photometric);
  if (!jpeg && !j2k) throw new UnsupportedError(meta.file, `PhotometricInterpretation ${meta.photometric} with transfer syntax ${meta.transferSyntaxUID} is not supported`);
}

/** Decodes the pixels of an already parsed image dataset (see `readDicomImage`). */
export async function decodeDicomImage(p: ParsedDicom, options: DicomImageOptions = {}): Promise<DicomImage> {
  const layout = readPixelLayout(p);
  const meta = readMeta(p, layout, options.stripIdentifiers ?? false);
  const { rows, cols, samplesPerPixel: spp, frames } = layout;
  const perFrame = rows * cols * spp;
  const data = new Float32Array(perFrame * frames);
  const signed = layout.pixelRepresentation === 1;
  const highBit = num(p.dataset, 'HighBit') ?? meta.bitsStored - 1;
  // Rescale is a modality LUT for grey images only; colour samples keep their stored values.
  // Enhanced objects may rescale each frame differently.
  const rescales = frameRescales(p.dataset, frames).map((r) => (spp === 1 ? r : { slope: 1, intercept: 0 }));
  assertColourDecodable(meta);
  const win = chooseWindow(options.window, meta); // validated before the (possibly long) decode
  let f = 0;
  for await (const frame of pixelFrames(p.dataset.PixelData, layout, p.file)) {
    const off = f * perFrame;
    const { slope, intercept } = rescales[f];
    // Fast path: all allocated bits are stored, so the typed array already holds the values.
    const direct = meta.bitsStored === layout.bitsAllocated && (frame instanceof Int8Array || frame instanceof Int16Array || frame instanceof Int32Array) === signed;
    if (direct) for (let i = 0; i < perFrame; i++) data[off + i] = frame[i] * slope + intercept;
    else for (let i = 0; i < perFrame; i++) data[off + i] = storedValue(frame[i], meta.bitsStored, highBit, signed) * slope + intercept;
    f++;
    options.onProgress?.({ task: 'dicom:decode', done: f, total: frames });
  }
  const fn = options.voiFunction ?? meta.voiFunction;
  if (win) {
    applyWindow(data, win, fn);
    meta.appliedWindow = win;
  }
  if (meta.photometric === 'MONOCHROME1' && (options.invertMonochrome1 ?? true)) {
    const [lo, hi] = win ? [0, 1] : modalityRange(meta.bitsStored, signed, rescales[0].slope, rescales[0].intercept);
    for (let i = 0; i < data.length; i++) data[i] = lo + hi - data[i];
    meta.inverted = true;
  }
  return { data, shape: [frames, rows, cols, spp], meta };
}

/**
 * Reads a DICOM image from bytes: any supported transfer syntax, masking BitsStored, signed
 * pixels, rescale slope/intercept (CT in HU), optional windowing to [0, 1], MONOCHROME1
 * inversion, multi-frame. `file` names the source in error messages.
 */
export async function readDicomImage(bytes: Uint8Array, file: string, options: DicomImageOptions = {}): Promise<DicomImage> {
  return decodeDicomImage(parseDicom(bytes, file), options);
}
