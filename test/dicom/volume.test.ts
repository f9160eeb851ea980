/** Series -> volume ordering by ImagePositionPatient, folder reading, and the DICOM SEG label map vs the NRRD of the same segmentation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sharedData } from '../helpers.js';
import { readDicomImageFile, readDicomSegFile, readDicomVolumeFiles } from '../../src/node/dicom.js';
import { stackDicomSlices, sliceNormal } from '../../src/dicom/volume.js';
import { InvalidInputError } from '../../src/errors.js';

const dir = sharedData('ct/dcmqi-ct3slice');
const slice = (n: string) => path.join(dir.path, n);

test('three CT slices given out of order stack by position along the normal', { skip: dir.skip }, async () => {
  const vol = await readDicomVolumeFiles([slice('02.dcm'), slice('01.dcm'), slice('03.dcm')]);
  assert.deepEqual(vol.shape, [3, 512, 512, 1]);
  // z of 01/02/03 is -126.69/-127.69/-128.69: ascending z puts 03 first.
  assert.deepEqual(vol.files.map((f) => path.basename(f)), ['03.dcm', '02.dcm', '01.dcm']);
  assert.ok(Math.abs(vol.spacing[0] - 1) < 1e-6);
  assert.deepEqual(vol.spacing.slice(1), [0.810547, 0.810547]);
  assert.deepEqual(vol.origin, [-235.199997, -226.800003, -128.690002]);
  const plane = 512 * 512;
  for (const [z, name] of ['03.dcm', '02.dcm', '01.dcm'].entries()) {
    const im = await readDicomImageFile(slice(name));
    assert.deepEqual(vol.data.subarray(z * plane, (z + 1) * plane), im.data, name);
  }
  // A folder: the SEG and the NRRD files beside the slices are skipped.
  const fromFolder = await readDicomVolumeFiles(dir.path);
  assert.deepEqual(fromFolder.files.map((f) => path.basename(f)), ['03.dcm', '02.dcm', '01.dcm']);
  assert.deepEqual(fromFolder.data, vol.data);
});

test('stacking rejects duplicate positions, mixed sizes and multi-frame slices; normal of axial is +z', { skip: dir.skip }, async () => {
  assert.deepEqual(sliceNormal([1, 0, 0, 0, 1, 0]), [0, 0, 1]);
  assert.deepEqual(sliceNormal([1, 0, 0, 0, 0, -1]), [0, 1, 0]);
  const a = await readDicomImageFile(slice('01.dcm'));
  assert.throws(() => stackDicomSlices([a, { ...a, meta: { ...a.meta, file: 'copy.dcm' } }]), (e) => e instanceof InvalidInputError && /copy\.dcm: has the same slice position as/.test(e.message));
  assert.throws(() => stackDicomSlices([a, { ...a, meta: { ...a.meta, file: 'small.dcm', rows: 256 } }]), (e) => e instanceof InvalidInputError && /small\.dcm: slice is 256x512/.test(e.message));
  assert.throws(() => stackDicomSlices([]), InvalidInputError);
  const segAsImage = await readDicomImageFile(slice('liver.dcm'));
  assert.throws(() => stackDicomSlices([segAsImage]), (e) => e instanceof InvalidInputError && /liver\.dcm: a volume slice must be one grey frame, got 3 frame/.test(e.message));
  await assert.rejects(readDicomVolumeFiles([slice('01.dcm'), slice('liver.dcm')]), (e) => e instanceof InvalidInputError && /files: holds 2 series .*choose one with seriesInstanceUID/.test(e.message));
});

/** Reads a gzip NRRD of int16 by hand (header, blank line, gzip payload), x fastest. */
function readNrrdInt16(file: string): { sizes: number[]; data: Int16Array } {
  const b = fs.readFileSync(file);
  const end = b.indexOf('\n\n');
  const header = b.subarray(0, end).toString('latin1');
  assert.match(header, /type: short/);
  assert.match(header, /encoding: gzip/);
  const sizes = /sizes: ([\d ]+)/.exec(header)![1].trim().split(/\s+/).map(Number);
  const raw = zlib.gunzipSync(b.subarray(end + 2));
  return { sizes, data: new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) };
}

test('liver SEG label map equals liver_seg.nrrd voxel for voxel and references the CT slices', { skip: dir.skip }, async () => {
  const seg = await readDicomSegFile(slice('liver.dcm'));
  assert.deepEqual(seg.shape, [3, 512, 512, 1]);
  assert.deepEqual(seg.segments.map((s) => [s.number, s.label, s.property]), [[1, 'Liver', 'Liver']]);
  const nrrd = readNrrdInt16(slice('liver_seg.nrrd'));
  assert.deepEqual(nrrd.sizes, [512, 512, 3]);
  let count = 0;
  for (let i = 0; i < seg.labels.length; i++) {
    assert.equal(seg.labels[i] > 0, nrrd.data[i] > 0, `voxel ${i}`);
    count += seg.labels[i];
  }
  assert.ok(count > 1000, `liver voxels ${count}`);
  // Planes ascend in z like the volume, and each references the CT slice at that position.
  const vol = await readDicomVolumeFiles([slice('01.dcm'), slice('02.dcm'), slice('03.dcm')]);
  assert.deepEqual(seg.positions.map((p) => p?.[2]), [-128.69, -127.69, -126.69]);
  const uids = await Promise.all(vol.files.map(async (f) => (await readDicomImageFile(f)).meta.ids?.sopInstanceUID));
  assert.deepEqual(seg.sourceSopInstanceUIDs, uids);
});
