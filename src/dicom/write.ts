/**
 * Writing a heatmap (e.g. an explanation) back as DICOM: a Secondary Capture image of the source
 * image with the heatmap blended over it in colour, in the source's study, in a new derived
 * series with a new SOP instance, referencing the source image. Bytes out (browser-safe).
 */
import dcmjs from 'dcmjs';
import { InvalidInputError } from '../errors.js';
import type { DicomIdentifiers } from './image.js';
import { heatmapOverlay } from '../report/overlay.js';

/** SOP Class UID of Secondary Capture Image Storage. */
export const SECONDARY_CAPTURE_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.7';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** medlens' implementation class UID (under the UUID-derived 2.25 root). */
const IMPLEMENTATION_CLASS_UID = '2.25.305711376421863941587621330150474103843';

/** What the Secondary Capture is made of. */
export interface SecondaryCaptureInput {
  /** Grey source image [H, W] (any range; scaled to 0..255 by its min/max unless `baseRange` is given). */
  base: Float32Array;
  /** Heatmap [H, W] in [0, 1] (values outside are clipped; NaN is an error). */
  heatmap: Float32Array;
  rows: number;
  cols: number;
  /** Display range of `base` (e.g. a window); defaults to its min/max. */
  baseRange?: [number, number];
  /** Heatmap opacity at value 1 (default 0.5); opacity scales with the heat value. */
  alpha?: number;
  /** Identifiers of the source image: patient and study are copied, the source SOP instance referenced. */
  source?: DicomIdentifiers & { sopClassUID?: string; modality?: string };
  /** SeriesDescription of the new series (default "medlens heatmap"). */
  seriesDescription?: string;
  /** Explicit UIDs (for reproducible output); new random 2.25 UIDs otherwise. */
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  pixelSpacing?: [number, number];
}

/**
 * Blends a heatmap over a grey image into interleaved 8-bit RGB [H, W, 3]: matplotlib 'jet' via
 * report/overlay.ts, opacity `alpha * heat` so cold pixels show the source image unchanged.
 */
export function heatmapOverlayRgb(input: SecondaryCaptureInput): Uint8Array {
  const { base, heatmap, rows, cols } = input;
  const n = rows * cols;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new InvalidInputError('rows/cols', `must be positive integers, got ${rows}x${cols}`);
  if (base.length !== n) throw new InvalidInputError('base', `has ${base.length} values, expected ${rows}x${cols} = ${n}`);
  if (heatmap.length !== n) throw new InvalidInputError('heatmap', `has ${heatmap.length} values, expected ${rows}x${cols} = ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(heatmap[i])) throw new InvalidInputError('heatmap', `value at index ${i} is ${heatmap[i]}`);
    if (!Number.isFinite(base[i])) throw new InvalidInputError('base', `value at index ${i} is ${base[i]}`);
  }
  const range = input.baseRange;
  if (range && !(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0])) throw new InvalidInputError('baseRange', `[${range}] must be finite with hi > lo`);
  const alpha = input.alpha ?? 0.5;
  return heatmapOverlay(base, heatmap, cols, rows, { colormap: 'jet', signed: false, range: [0, 1], alpha, alphaByHeat: true, greyRange: input.baseRange }).data;
}

function dicomDateTime(d: Date): { date: string; time: string } {
  const p = (x: number, n = 2) => String(x).padStart(n, '0');
  return { date: `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`, time: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}` };
}

/**
 * Encodes the heatmap overlay as a DICOM Secondary Capture (RGB, 8-bit, explicit VR little
 * endian) and returns the file bytes. The new instance joins the source study in a new series.
 */
export function writeDicomSecondaryCapture(input: SecondaryCaptureInput): Uint8Array {
  const rgb = heatmapOverlayRgb(input);
  const src = input.source ?? {};
  const sopInstanceUID = input.sopInstanceUID ?? dcmjs.data.DicomMetaDictionary.uid();
  const { date, time } = dicomDateTime(new Date());
  const ds: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'SECONDARY'],
    SOPClassUID: SECONDARY_CAPTURE_SOP_CLASS_UID,
    SOPInstanceUID: sopInstanceUID,
    StudyInstanceUID: src.studyInstanceUID ?? dcmjs.data.DicomMetaDictionary.uid(),
    SeriesInstanceUID: input.seriesInstanceUID ?? dcmjs.data.DicomMetaDictionary.uid(),
    StudyDate: src.studyDate ?? '',
    StudyTime: '',
    ContentDate: date,
    ContentTime: time,
    AccessionNumber: src.accessionNumber ?? '',
    Modality: 'OT',
    ConversionType: 'WSD',
    SeriesDescription: input.seriesDescription ?? 'medlens heatmap',
    DerivationDescription: 'Heatmap blended over the source image by medlens',
    PatientName: src.patientName ? [{ Alphabetic: src.patientName }] : '',
    PatientID: src.patientId ?? '',
    PatientBirthDate: src.patientBirthDate ?? '',
    PatientSex: '',
    StudyID: '',
    SeriesNumber: 999,
    InstanceNumber: 1,
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: input.rows,
    Columns: input.cols,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    BurnedInAnnotation: 'NO',
    PixelData: rgb.buffer,
    _vrMap: { PixelData: 'OB' },
  };
  if (input.pixelSpacing) ds.PixelSpacing = input.pixelSpacing;
  if (src.sopInstanceUID) {
    ds.SourceImageSequence = [{ ReferencedSOPClassUID: src.sopClassUID ?? '', ReferencedSOPInstanceUID: src.sopInstanceUID }];
    if (src.seriesInstanceUID) {
      ds.ReferencedSeriesSequence = [{ SeriesInstanceUID: src.seriesInstanceUID, ReferencedInstanceSequence: [{ ReferencedSOPClassUID: src.sopClassUID ?? '', ReferencedSOPInstanceUID: src.sopInstanceUID }] }];
    }
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SECONDARY_CAPTURE_SOP_CLASS_UID,
    MediaStorageSOPInstanceUID: sopInstanceUID,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'medlens',
    _vrMap: { FileMetaInformationVersion: 'OB' },
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
