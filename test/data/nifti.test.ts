import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { gzipSync } from 'fflate';
import { sharedData, tmpDir } from '../helpers.js';
import { readNifti, encodeNifti } from '../../src/data/nifti.js';
import { readNiftiFile, readNrrdFile } from '../../src/node/data.js';
import type { GridImage, VoxelArray } from '../../src/data/types.js';
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../../src/errors.js';

const ct = sharedData('ct/dcmqi-ct3slice');

/**
 * A NIfTI-1 file built field by field from the spec (independent of encodeNifti): big-endian,
 * dims 4x3x2 (x fastest), qform only (identity rotation, offsets 10/20/30), optional scaling.
 */
function handMadeNifti(datatype: number, bitpix: number, values: number[], slope = 0, inter = 0): Uint8Array {
  const bytesPer = bitpix / 8;
  const out = new Uint8Array(352 + values.length * bytesPer);
  const v = new DataView(out.buffer);
  const le = false;
  v.setInt32(0, 348, le);
  [3, 4, 3, 2, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, datatype, le);
  v.setInt16(72, bitpix, le);
  [1, 0.5, 0.75, 2.5, 1, 1, 1, 1].forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
  v.setFloat32(108, 352, le);
  v.setFloat32(112, slope, le);
  v.setFloat32(116, inter, le);
  v.setInt16(252, 1, le); // qform_code scanner
  [0, 0, 0, 10, 20, 30].forEach((q, i) => v.setFloat32(256 + 4 * i, q, le));
  out.set([0x6e, 0x2b, 0x31, 0x00], 344);
  values.forEach((x, i) => (bitpix === 16 ? v.setInt16(352 + 2 * i, x, le) : v.setUint8(352 + i, x)));
  return out;
}

test('hand-made big-endian NIfTI-1 with qform: voxel order, shape [D,H,W], spacing, affine, scaling', () => {
  const values = Array.from({ length: 24 }, (_, i) => i * 100 - 1000);
  const g = readNifti(handMadeNifti(4, 16, values), 'hand.nii');
  assert.ok(g.data instanceof Int16Array);
  assert.deepEqual([...g.data], values);
  assert.deepEqual(g.shape, [2, 3, 4]);
  assert.deepEqual(g.spacing, [2.5, 0.75, 0.5]);
  assert.deepEqual(g.affine, [[0.5, 0, 0, 10], [0, 0.75, 0, 20], [0, 0, 2.5, 30], [0, 0, 0, 1]]);
  assert.deepEqual(g.origin, [10, 20, 30]);
  const scaled = readNifti(handMadeNifti(2, 8, Array.from({ length: 24 }, (_, i) => i), 2, -1), 'scaled.nii');
  assert.ok(scaled.data instanceof Float32Array);
  assert.deepEqual([...scaled.data].slice(0, 3), [-1, 1, 3]);
  const gz = readNifti(gzipSync(handMadeNifti(4, 16, values)), 'hand.nii.gz');
  assert.deepEqual([...gz.data], values);
});

test('encodeNifti -> readNifti round-trip (plain and gzip) of each voxel type, through a file', () => {
  const dir = tmpDir();
  const base = { shape: [2, 3, 5], spacing: [3, 0.7, 0.6], origin: [1, 2, 3], space: 'RAS', affine: [[0.6, 0, 0, 1], [0, 0.7, 0, 2], [0, 0, 3, 3], [0, 0, 0, 1]] };
  const ctors: (new (values: number[]) => VoxelArray)[] = [Uint8Array, Int8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
  const arrays = ctors.map((C) => new C(Array.from({ length: 30 }, (_, i) => (i * 7) % 31)));
  for (const data of arrays) {
    for (const gzip of [false, true]) {
      const file = path.join(dir, `x${gzip ? '.nii.gz' : '.nii'}`);
      fs.writeFileSync(file, encodeNifti({ ...base, data } as GridImage, { gzip }));
      const back = readNiftiFile(file);
      assert.equal(back.data.constructor, data.constructor);
      assert.deepEqual([...back.data], [...data]);
      assert.deepEqual(back.shape, base.shape);
      back.spacing.forEach((s, i) => assert.ok(Math.abs(s - base.spacing[i]) < 1e-6));
      back.affine.flat().forEach((s, i) => assert.ok(Math.abs(s - base.affine.flat()[i]) < 1e-6));
    }
  }
  assert.throws(() => encodeNifti({ ...base, data: new Uint8Array(7) } as GridImage), InvalidInputError);
  assert.throws(() => encodeNifti({ ...base, shape: [1, 1, 1, 30], data: new Uint8Array(30) } as GridImage), InvalidInputError);
});

test('dcmqi liver NRRD -> NIfTI keeps labels and maps LPS to RAS', { skip: ct.skip }, () => {
  const g = readNrrdFile(path.join(ct.path, 'liver_seg.nrrd'));
  const back = readNifti(encodeNifti(g, { gzip: true }), 'liver.nii.gz');
  assert.deepEqual(back.shape, [3, 512, 512]);
  assert.ok(back.data.every((v, i) => v === g.data[i]));
  assert.equal(Array.from(back.data).reduce((s, v) => s + v, 0), 107098);
  assert.equal(back.space, 'RAS');
  // LPS (x, y) = (-235.2, -226.8) is RAS (235.2, 226.8); float32 header precision.
  assert.ok(Math.abs(back.origin[0] - 235.2) < 1e-4 && Math.abs(back.origin[1] - 226.8) < 1e-4 && Math.abs(back.origin[2] + 128.69) < 1e-4);
  assert.ok(Math.abs(back.affine[0][0] + 0.810547) < 1e-6);
});

test('truncated, corrupt and unsupported NIfTI files throw typed errors', () => {
  const good = handMadeNifti(4, 16, Array.from({ length: 24 }, (_, i) => i));
  assert.throws(() => readNifti(good.subarray(0, 100), 'hdr.nii'), (e: unknown) => e instanceof CorruptFileError && e.offset === 100);
  assert.throws(() => readNifti(good.subarray(0, 380), 'data.nii'), (e: unknown) => e instanceof CorruptFileError && /truncated/.test(e.message) && e.offset === 380);
  const magic = good.slice();
  magic[345] = 0x41;
  assert.throws(() => readNifti(magic, 'magic.nii'), (e: unknown) => e instanceof CorruptFileError && /not a NIfTI/.test(e.message));
  const gz = gzipSync(good);
  assert.throws(() => readNifti(gz.subarray(0, gz.length - 30), 'cut.nii.gz'), CorruptFileError);
  const rgb = handMadeNifti(128, 24, []);
  assert.throws(() => readNifti(rgb, 'rgb.nii'), UnsupportedError);
  const fourD = good.slice();
  new DataView(fourD.buffer).setInt16(40, 4, false);
  new DataView(fourD.buffer).setInt16(48, 2, false);
  assert.throws(() => readNifti(fourD, '4d.nii'), UnsupportedError);
});
