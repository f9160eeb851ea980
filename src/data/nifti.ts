/**
 * NIfTI-1/2 reader (.nii, .nii.gz) via nifti-reader-js, and a small NIfTI-1 writer for label maps
 * and heatmaps (nifti-reader-js only reads). Browser-safe: bytes in, bytes out.
 */
import * as nifti from 'nifti-reader-js';
import { gzipSync } from 'fflate';
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../errors.js';
import type { GridImage, VoxelArray } from './types.js';
import { decodeVoxels, type ScalarType } from './nrrd-util.js';

/** NIfTI datatype codes to scalar types (the ones label maps and images use). */
const DATATYPES: Record<number, ScalarType> = { 2: 'uint8', 4: 'int16', 8: 'int32', 16: 'float32', 64: 'float64', 256: 'int8', 512: 'uint16', 768: 'uint32' };

/**
 * Reads a NIfTI file (gzip-compressed or not) into a GridImage in RAS world coordinates:
 * shape slowest axis first ([D, H, W] for a 3-D file, trailing singleton axes dropped), spacing
 * from pixdim, affine from sform/qform. Nonzero scl_slope other than identity scales to Float32.
 */
export function readNifti(bytes: Uint8Array, file: string): GridImage {
  let buf = bytes.slice().buffer as ArrayBuffer;
  if (nifti.isCompressed(buf)) {
    try {
      buf = nifti.decompress(buf) as ArrayBuffer;
    } catch (e) {
      throw new CorruptFileError(file, `gzip data cannot be inflated (truncated or corrupt): ${(e as Error).message}`, 0);
    }
  }
  if (buf.byteLength < 348) throw new CorruptFileError(file, `truncated NIfTI: ${buf.byteLength} bytes, the header alone needs 348`, buf.byteLength);
  let isNifti = false;
  try {
    isNifti = nifti.isNIFTI(buf);
  } catch {
    isNifti = false;
  }
  if (!isNifti) throw new CorruptFileError(file, 'not a NIfTI-1/2 file (bad header size or magic)', 0);
  const h = nifti.readHeader(buf);
  const type = DATATYPES[h.datatypeCode];
  if (type === undefined) throw new UnsupportedError(file, `NIfTI datatype ${h.datatypeCode} is not supported`);
  const ndim = h.dims[0];
  if (!(ndim >= 1 && ndim <= 7)) throw new CorruptFileError(file, `invalid NIfTI dim[0] = ${ndim}`, 40);
  let dims = h.dims.slice(1, 1 + ndim);
  while (dims.length > 1 && dims[dims.length - 1] === 1) dims = dims.slice(0, -1);
  if (dims.length > 3) throw new UnsupportedError(file, `NIfTI with ${dims.length} non-singleton dimensions (${dims.join('x')}) is not supported; label maps have at most 3`);
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) throw new CorruptFileError(file, `invalid NIfTI dimensions ${dims.join('x')}`, 40);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = Math.max(Math.floor(h.vox_offset), 0);
  const raw = new Uint8Array(buf, Math.min(offset, buf.byteLength));
  let data: VoxelArray = decodeVoxels(type, raw, count, h.littleEndian, (have, want) => {
    throw new CorruptFileError(file, `truncated NIfTI: image data holds ${have} bytes, ${dims.join('x')} voxels need ${want}`, buf.byteLength);
  });
  const slope = h.scl_slope;
  const inter = h.scl_inter || 0;
  if (Number.isFinite(slope) && slope !== 0 && (slope !== 1 || inter !== 0)) {
    const scaled = new Float32Array(count);
    for (let i = 0; i < count; i++) scaled[i] = data[i] * slope + inter;
    data = scaled;
  }
  const spacing = dims.map((_, a) => Math.abs(h.pixDims[a + 1]) || 1);
  const affine = h.affine.map((row) => [...row]);
  return { data, shape: [...dims].reverse(), spacing: spacing.reverse(), origin: [affine[0][3], affine[1][3], affine[2][3]], affine, space: 'RAS' };
}

const CODES: [new (n: number) => VoxelArray, number][] = [[Uint8Array, 2], [Int16Array, 4], [Int32Array, 8], [Float32Array, 16], [Float64Array, 64], [Int8Array, 256], [Uint16Array, 512], [Uint32Array, 768]];

/**
 * Encodes a GridImage (rank 1-3, RAS or LPS affine) as NIfTI-1 (.nii, or .nii.gz with `gzip`).
 * The affine goes into sform (code 2, aligned); LPS affines are flipped to RAS.
 */
export function encodeNifti(image: GridImage, opts: { gzip?: boolean } = {}): Uint8Array {
  const { data, shape } = image;
  if (shape.length < 1 || shape.length > 3 || !shape.every((s) => Number.isInteger(s) && s > 0 && s < 32768)) throw new InvalidInputError('image', `shape must have 1-3 axes of 1..32767, got [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new InvalidInputError('image', `data has ${data.length} values, shape [${shape.join(', ')}] needs ${count}`);
  const code = CODES.find(([ctor]) => data instanceof ctor)?.[1];
  if (code === undefined) throw new InvalidInputError('image', 'data must be a typed array NIfTI supports');
  const bytesPer = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(352 + count * bytesPer);
  const v = new DataView(out.buffer);
  v.setInt32(0, 348, true);
  const dims = [...shape].reverse(); // fastest axis first
  v.setInt16(40, dims.length, true);
  for (let i = 0; i < 7; i++) v.setInt16(42 + 2 * i, dims[i] ?? 1, true);
  v.setInt16(70, code, true);
  v.setInt16(72, bytesPer * 8, true);
  const spacing = [...image.spacing].reverse();
  v.setFloat32(76, 1, true); // qfac
  for (let i = 0; i < 7; i++) v.setFloat32(80 + 4 * i, spacing[i] ?? 1, true);
  v.setFloat32(108, 352, true); // vox_offset
  v.setFloat32(112, 1, true); // scl_slope
  v.setUint8(123, 2); // xyzt_units: mm
  const ras = image.affine.map((row, r) => row.map((x) => (image.space === 'LPS' && r < 2 ? -x : x)));
  v.setInt16(254, 2, true); // sform_code: aligned
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, ras[r][c], true);
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // magic "n+1\0"
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const littleHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  out.set(body, 352);
  if (!littleHost && bytesPer > 1) for (let i = 352; i < out.length; i += bytesPer) out.subarray(i, i + bytesPer).reverse();
  return opts.gzip ? gzipSync(out) : out;
}
