/**
 * NumPy .npy reader (format versions 1-3, little/big endian float/int/uint/bool, C order) for
 * `medlens predict`. Written by hand: the npm npy readers are unmaintained or fetch-based, and the
 * format is a short header plus raw data. Returns float32 values and the shape.
 */
import { CorruptFileError, UnsupportedError } from '../errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses .npy bytes; `file` names the file in errors. */
export function parseNpy(bytes: Uint8Array, file: string): { data: Float32Array; shape: number[] } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new CorruptFileError(file, 'not a .npy file (bad magic)', 0);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new CorruptFileError(file, 'truncated header', 8);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new UnsupportedError(file, `.npy format version ${major} is not supported (1-3 are)`);
  }
  if (start + headerLen > bytes.length) throw new CorruptFileError(file, 'header runs past the end of the file', start);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new CorruptFileError(file, `malformed header: ${header.trim()}`, start);
  if (fortran === 'True') throw new UnsupportedError(file, 'Fortran-order arrays are not supported; save with np.ascontiguousarray');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new CorruptFileError(file, `bad shape (${shapeText})`, start);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new UnsupportedError(file, `dtype '${descr}' is not supported (float, int, uint or bool)`);
  const little = m[1] !== '>';
  const kind = m[2];
  const size = Number(m[3]);
  const readers: Record<string, (o: number) => number> = {
    f4: (o) => view.getFloat32(o, little),
    f8: (o) => view.getFloat64(o, little),
    i1: (o) => view.getInt8(o),
    i2: (o) => view.getInt16(o, little),
    i4: (o) => view.getInt32(o, little),
    i8: (o) => Number(view.getBigInt64(o, little)),
    u1: (o) => view.getUint8(o),
    b1: (o) => view.getUint8(o),
    u2: (o) => view.getUint16(o, little),
    u4: (o) => view.getUint32(o, little),
    u8: (o) => Number(view.getBigUint64(o, little)),
  };
  const read = readers[`${kind}${size}`];
  if (!read) throw new UnsupportedError(file, `dtype '${descr}' is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + count * size > bytes.length) {
    throw new CorruptFileError(file, `data truncated: ${count} values of ${size} bytes need ${count * size} bytes, ${bytes.length - dataStart} present`, bytes.length);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = read(dataStart + i * size);
  return { data, shape };
}

/** Encodes a float32 array as .npy (version 1) — for tests and for exporting arrays. */
export function encodeNpy(data: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
