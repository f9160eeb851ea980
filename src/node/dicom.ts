/**
 * Node file adapters for the DICOM readers/writer in src/dicom/: read files (or a folder of
 * slices) with typed errors, and write Secondary Captures atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileAccessError, InvalidInputError } from '../errors.js';
import { readDicomEcg, type DicomEcg, type DicomEcgOptions } from '../dicom/waveform.js';
import { decodeDicomImage, readDicomImage, type DicomImage, type DicomImageOptions } from '../dicom/image.js';
import { hasDicmMarker, parseDicom, str } from '../dicom/parse.js';
import { readDicomSeg, SEG_SOP_CLASS_UID, type DicomSegLabelMap } from '../dicom/seg.js';
import { stackDicomSlices, type DicomVolume } from '../dicom/volume.js';
import { writeDicomSecondaryCapture, type SecondaryCaptureInput } from '../dicom/write.js';
import { readBytes, writeFileAtomic } from './fs.js';

/** Reads a DICOM image file (see `readDicomImage`). */
export async function readDicomImageFile(file: string, options: DicomImageOptions = {}): Promise<DicomImage> {
  return readDicomImage(readBytes(file), file, options);
}

/** Reads a DICOM waveform/ECG file; signals in mV (see `readDicomEcg`). */
export function readDicomEcgFile(file: string, options: DicomEcgOptions = {}): DicomEcg {
  return readDicomEcg(readBytes(file), file, options);
}

/** Reads a DICOM SEG file as a label map (see `readDicomSeg`). */
export async function readDicomSegFile(file: string): Promise<DicomSegLabelMap> {
  return readDicomSeg(readBytes(file), file);
}

/** Options of `readDicomVolumeFiles`. */
export interface DicomVolumeOptions extends DicomImageOptions {
  /** With a folder holding several series, the one to read. */
  seriesInstanceUID?: string;
}

/** Lists the plain files of a folder (not recursive), sorted. */
function filesIn(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (e) {
    throw new FileAccessError(dir, `cannot list folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return names.map((n) => path.join(dir, n)).filter((f) => fs.statSync(f).isFile());
}

/**
 * Reads slices into a volume [D, H, W, 1] ordered by ImagePositionPatient. `input` is a list of
 * files or one folder; in a folder, non-DICOM files, SEG objects and non-image instances are
 * skipped, and several series need `seriesInstanceUID` to choose one.
 */
export async function readDicomVolumeFiles(input: string | string[], options: DicomVolumeOptions = {}): Promise<DicomVolume> {
  const fromFolder = typeof input === 'string';
  const files = fromFolder ? filesIn(input) : input;
  if (files.length === 0) throw new InvalidInputError(fromFolder ? input : 'files', 'no DICOM files found');
  const bySeries = new Map<string, DicomImage[]>();
  const { seriesInstanceUID, ...imageOptions } = options;
  for (const file of files) {
    const bytes = readBytes(file);
    if (fromFolder && !hasDicmMarker(bytes)) continue;
    const parsed = parseDicom(bytes, file);
    if (fromFolder && (str(parsed.dataset, 'SOPClassUID') === SEG_SOP_CLASS_UID || parsed.dataset.PixelData === undefined)) continue;
    const series = str(parsed.dataset, 'SeriesInstanceUID') ?? '';
    if (seriesInstanceUID && series !== seriesInstanceUID) continue;
    const image = await decodeDicomImage(parsed, { ...imageOptions, stripIdentifiers: false });
    if (options.stripIdentifiers) image.meta.ids = { seriesInstanceUID: series };
    bySeries.set(series, [...(bySeries.get(series) ?? []), image]);
  }
  if (bySeries.size === 0) throw new InvalidInputError(fromFolder ? input : 'files', seriesInstanceUID ? `no image of series ${seriesInstanceUID}` : 'no DICOM image slices found');
  if (bySeries.size > 1) {
    throw new InvalidInputError(fromFolder ? input : 'files', `holds ${bySeries.size} series (${[...bySeries.keys()].join(', ')}); choose one with seriesInstanceUID`);
  }
  return stackDicomSlices([...bySeries.values()][0]);
}

/** Writes a heatmap Secondary Capture (see `writeDicomSecondaryCapture`) atomically to `file`. */
export function writeDicomSecondaryCaptureFile(file: string, input: SecondaryCaptureInput): void {
  writeFileAtomic(file, writeDicomSecondaryCapture(input));
}
