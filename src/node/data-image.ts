/** Node adapters for image and label-map files (PNG, NRRD, NIfTI): read bytes, decode in core. */
import { readBytes } from './fs.js';
import { readNrrd } from '../data/nrrd.js';
import { readNifti } from '../data/nifti.js';
import type { GridImage } from '../data/types.js';
import { decodePngImage, type DecodedImage, type PngDecodeOptions } from '../data/png.js';

/** Reads and decodes a PNG file as a channels-last [H, W, C] Float32Array. */
export function readPngFile(file: string, opts: PngDecodeOptions = {}): DecodedImage {
  return decodePngImage(readBytes(file), file, opts);
}

/** Reads an NRRD file (attached raw/gzip/text data) as a GridImage, shape slowest axis first. */
export function readNrrdFile(file: string): GridImage {
  return readNrrd(readBytes(file), file);
}

/** Reads a NIfTI file (.nii or .nii.gz) as a GridImage in RAS coordinates, shape slowest axis first. */
export function readNiftiFile(file: string): GridImage {
  return readNifti(readBytes(file), file);
}
