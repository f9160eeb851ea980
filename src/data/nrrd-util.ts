/** Shared helpers of the grid readers (NRRD, NIfTI): typed-array decoding and affines. */
import type { VoxelArray } from './types.js';

/** Scalar voxel types the grid readers support. */
export type ScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

const CTORS = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
} as const;

/** A zeroed typed array of `count` voxels of `type`. */
export function allocateVoxels(type: ScalarType, count: number): VoxelArray {
  return new CTORS[type](count);
}

/**
 * Decodes `count` voxels of `type` from `bytes` in the given byte order into a fresh (aligned)
 * typed array. Calls `onShort(have, want)` (which should throw) when the bytes are too few.
 */
export function decodeVoxels(type: ScalarType, bytes: Uint8Array, count: number, littleEndian: boolean, onShort: (have: number, want: number) => never): VoxelArray {
  const out = allocateVoxels(type, count);
  const size = out.BYTES_PER_ELEMENT;
  if (bytes.length < count * size) onShort(bytes.length, count * size);
  const raw = new Uint8Array(out.buffer);
  raw.set(bytes.subarray(0, count * size));
  const hostLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (size > 1 && littleEndian !== hostLittle) {
    for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
  }
  return out;
}

/** 4x4 row-major affine whose first columns are the axis direction vectors and whose translation is `origin`. */
export function gridAffine(columns: number[][], origin: number[]): number[][] {
  const m = [0, 1, 2, 3].map((r) => [0, 0, 0, r === 3 ? 1 : 0]);
  for (let c = 0; c < Math.min(3, columns.length); c++) for (let r = 0; r < 3; r++) m[r][c] = columns[c][r] ?? 0;
  for (let r = 0; r < 3; r++) m[r][3] = origin[r] ?? 0;
  return m;
}
